"""Every command-line value checked before a command starts anything.

:func:`check_arguments` runs on the parsed arguments before the command's handler: a bad value is
one line naming the option and the value (with "did you mean …" when a known value is close), exit
2, and nothing has been created — no report folder, no emulator, no request. What it checks:

- ``--behaviour ID`` against ``webex/behaviours.yaml``; ``selfcheck --fault ID`` and ``replay --fault ID``
  against the emulator's faults;
- ``--max-p95 [API=]MS`` / ``--min-rps [API=]RPS`` / ``--max-failure-ratio X`` (the numbers as
  :func:`runs.gates.thresholds_from_options` reads them; the API must be a row a load run can
  have: :func:`load_row_names`);
- ``--run-time`` (a locust duration), ``--users``, ``--spawn-rate``, ``--processes``, ``--workers``
  and the emulator's ``--port`` (ranges);
- run IDs: ``report --run`` and ``compare RUN_A RUN_B`` must name a run folder under the reports
  folder (or, for ``compare``, a folder or a ``load.json``); ``cleanup --run`` a run folder or a
  well-formed run ID (its objects are found by name when its folder is gone);
- ``generate API`` against the API catalogue.

``--scenario`` and ``--shape`` are argparse choices: :class:`OneLineParser` turns argparse's own
errors into one line with a suggestion. Only light modules are imported here (no locust, no pytest).
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from webex_harness.runs.cli_common import reports_folder
from webex_harness.webex.hints import did_you_mean

__all__ = ["OneLineParser", "UsageProblem", "check_arguments", "did_you_mean", "load_row_names"]

#: Inclusive ranges of the integer options: ``(minimum, maximum)``.
RANGES: dict[str, tuple[int, int]] = {
    "users": (1, 100_000),
    "processes": (1, 256),
    "workers": (1, 64),
    "port": (0, 65_535),
}

#: The request names of the REST load scenario (``load/rest_tasks.py``; that module imports locust).
REST_LOAD_NAMES: tuple[str, ...] = (
    "POST /v1/meetings",
    "GET /v1/meetings/{id}",
    "PATCH /v1/meetings/{id}",
    "GET /v1/meetings",
    "DELETE /v1/meetings/{id}",
)
#: Request names of the scenarios besides the API names (``load/scenarios.py``; it imports locust).
EXTRA_LOAD_NAMES: tuple[str, ...] = ("CreateMeetingAttendee (missing required field)",)


class UsageProblem(ValueError):
    """A bad command-line value; ``str()`` is the one line to print (exit 2)."""


def check_known(option: str, values: Sequence[str] | None, known: Sequence[str], what: str) -> None:
    """Each of ``values`` is one of ``known``; :class:`UsageProblem` naming the first that is not."""
    for value in values or []:
        if value not in known:
            raise UsageProblem(f"{option} {value!r}: unknown {what}{did_you_mean(value, known)}")


def check_range(option: str, value: int | None, key: str) -> None:
    """``value`` (None: not given) within :data:`RANGES` ``[key]``."""
    low, high = RANGES[key]
    if value is not None and not low <= value <= high:
        raise UsageProblem(f"{option} {value}: must be between {low} and {high}")


def check_run_time(text: str | None) -> None:
    """A locust duration (``20s``, ``2m``, ``1h30m``, ``90``)."""
    from webex_harness.load.runner import parse_run_time  # no locust import

    if text is None:
        return
    try:
        parse_run_time(text)
    except ValueError as exc:
        raise UsageProblem(f"--run-time: {exc}") from None


def load_row_names() -> list[str]:
    """Every row name a load run's ``load.json`` can have: each catalogued XML API, the REST load's
    requests and the scenarios' special requests (a gate may also name a ``(setup)``/``(clean-up)``
    row of one of these)."""
    from webex_harness.generators.catalogue import xml_api_names

    return [*xml_api_names(), *REST_LOAD_NAMES, *EXTRA_LOAD_NAMES]


def _gate_api(name: str, known: Sequence[str]) -> bool:
    from webex_harness.environment.model import ALL_APIS
    from webex_harness.runs.gates import HOUSEKEEPING_SUFFIXES

    if name == ALL_APIS or name in known:
        return True
    return any(name.endswith(s) and name.removesuffix(s) in known for s in HOUSEKEEPING_SUFFIXES)


def check_gates(args: argparse.Namespace) -> None:
    """``--max-failure-ratio``, ``--max-p95`` and ``--min-rps``: numbers and API names."""
    from webex_harness.runs.gates import GateOptionError, thresholds_from_options

    try:
        thresholds_from_options(args.max_failure_ratio, args.max_p95, args.min_rps)
    except GateOptionError as exc:
        raise UsageProblem(str(exc)) from None
    known: list[str] | None = None
    for option, raws in (("--max-p95", args.max_p95), ("--min-rps", args.min_rps)):
        for raw in raws or []:
            if "=" not in raw:
                continue
            api = raw.rsplit("=", 1)[0].strip()
            known = known if known is not None else load_row_names()
            if not _gate_api(api, known):
                raise UsageProblem(
                    f"{option} {raw!r}: {api!r} is not an API a load run calls"
                    f"{did_you_mean(api, known)}; see webex-harness apis"
                )


def run_ids(reports: Path) -> list[str]:
    """The run folders under ``reports`` (any folder name: a run may be copied under another)."""
    try:
        return sorted(p.name for p in reports.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def _unknown_run(option: str, ref: str, reports: Path) -> UsageProblem:
    existing = run_ids(reports)
    close = difflib.get_close_matches(ref, existing, n=3, cutoff=0.5)
    if close:
        hint = f"; closest: {', '.join(close)}"
    elif existing:
        hint = f"; latest: {', '.join(existing[-3:])}"
    else:
        hint = "; it has no runs"
    return UsageProblem(f"{option}: no run {ref!r} in {reports}{hint}")


def check_run_id(option: str, ref: str | None, reports: Path, *, paths: bool = False, by_name: bool = False) -> None:
    """``ref`` names a run folder under ``reports`` (``paths``: or an existing file or folder;
    ``by_name``: or is a well-formed run ID — ``cleanup`` finds a run's objects by their names even
    when its folder is gone)."""
    from webex_harness.workspace.run_folder import RUN_ID_PATTERN

    if ref is None:
        return
    if paths and Path(ref).exists():
        return
    if by_name and re.fullmatch(RUN_ID_PATTERN, ref):
        return
    if ref and "/" not in ref and ref not in (".", "..") and (reports / ref).is_dir():
        return
    raise _unknown_run(option, ref, reports)


def check_arguments(args: argparse.Namespace) -> None:
    """Check every value of the parsed command line; :class:`UsageProblem` (one line) for the first bad one."""
    command = getattr(args, "command", None)
    if command in ("run", "contracts", "load"):
        if getattr(args, "behaviour", None):
            from webex_harness.webex.behaviours import ids

            check_known("--behaviour", args.behaviour, ids(), "behaviour ID")
        check_range("--workers", getattr(args, "workers", None), "workers")
    if command in ("run", "load"):
        check_run_time(args.run_time)
        check_range("--users", args.users, "users")
        check_range("--processes", args.processes, "processes")
        if not args.spawn_rate > 0 or args.spawn_rate == float("inf"):
            raise UsageProblem(f"--spawn-rate {args.spawn_rate:g}: must be more than 0 users per second")
        check_gates(args)
    if command == "selfcheck":
        check_range("--workers", args.workers, "workers")
        if args.fault:
            from webex_harness.emulator.registered import all_faults

            check_known("--fault", args.fault, sorted(all_faults()), "fault")
    if command == "replay" and args.fault:
        from webex_harness.emulator.registered import all_faults

        check_known("--fault", args.fault, sorted(all_faults()), "fault")
    if command == "emulator":
        check_range("--port", args.port, "port")
    if command == "report":
        check_run_id("--run", args.run, reports_folder(args), paths=True)
    if command == "cleanup":
        check_run_id("--run", args.run, reports_folder(args), by_name=True)
    if command == "compare":
        check_run_id("RUN_A", args.run_a, reports_folder(args), paths=True)
        check_run_id("RUN_B", args.run_b, reports_folder(args), paths=True)
    if command == "generate":
        _check_generate_api(args.api)


def _check_generate_api(api: str) -> None:
    from webex_harness.generators.catalogue import api as catalogue_api

    try:
        catalogue_api(api)
    except KeyError as exc:
        raise UsageProblem(f"generate: {exc.args[0] if exc.args else exc}") from None


_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<value>[^']*)' \(choose from (?P<choices>.*)\)")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``webex-harness run: argument --shape: invalid
    choice: 'stepp' (choose from …); did you mean 'step'? …``) and exit 2, as every usage error."""

    def error(self, message: str) -> NoReturn:
        match = _INVALID_CHOICE.search(message)
        if match:
            close = difflib.get_close_matches(
                match.group("value"), re.findall(r"'([^']*)'", match.group("choices")), n=1, cutoff=0.6
            )
            if close:
                message += f"; did you mean {close[0]!r}?"
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")
