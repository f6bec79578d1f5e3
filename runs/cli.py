"""``webex-harness``: the command line — its parser and :func:`main` (the console script).

Commands: ``emulator``, ``run``, ``contracts``, ``load``, ``compare``, ``selfcheck``, ``cleanup``,
``prune``, ``report``, ``probe-rate-limit``, ``apis``, ``checks``, ``generate``, ``costs``,
``diff-versions``, ``replay``. Every command that talks to a target takes ``--env`` (an environment file or
name; default ``environments/emulator.yaml``). Exit codes: 0 everything passed; 1 a test, a gate, a regression, a
check or a clean-up failed (one line names each); 2 bad usage, a bad environment file (one line
naming the file, the key and the problem), a URL the guard refuses (:mod:`environment.guard`) or a
missing tool (one line saying how to install it); 130 interrupted by Ctrl-C, 128 + the signal when
stopped by SIGTERM or SIGHUP (:mod:`runs.stop_signals`).

Every value is checked before a command starts (:mod:`runs.cli_checks`). The commands live by what
they do: :mod:`runs.run_command` (``run``, ``contracts``, ``load``; its load phase in
:mod:`runs.load_phase`), :mod:`runs.folder_commands` (``report``, ``compare``, ``prune``),
:mod:`runs.target_commands` (``emulator``, ``selfcheck``, ``cleanup``, ``costs``,
``probe-rate-limit``) :mod:`runs.catalogue_commands` (``apis``, ``generate``), :mod:`runs.checks_command` (``checks``),
:mod:`runs.version_commands`
(``diff-versions``) and :mod:`runs.replay_command` (``replay``); what they share is
in :mod:`runs.cli_common`. Each imports what is heavy (httpx, locust, pytest, the emulator) only
when it runs, so a typo fails fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.runs.catalogue_commands import cmd_apis, cmd_generate
from webex_harness.runs.checks_command import cmd_checks
from webex_harness.runs.cli_checks import OneLineParser, UsageProblem, check_arguments
from webex_harness.runs.cli_common import fail
from webex_harness.runs.folder_commands import cmd_compare, cmd_prune, cmd_report
from webex_harness.runs.replay_command import cmd_replay
from webex_harness.runs.run_command import cmd_run
from webex_harness.runs.selfcheck import SUITE_CHOICES
from webex_harness.runs.stop_signals import Stopped, handle_stop_signals, restore_handlers
from webex_harness.runs.target_commands import cmd_cleanup, cmd_costs, cmd_emulator, cmd_probe, cmd_selfcheck
from webex_harness.runs.version_commands import cmd_diff_versions
from webex_harness.webex import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command: its options, and in ``func`` the handler ``main`` calls."""
    parser = OneLineParser(
        prog="webex-harness",
        description="Contract and load tests for the Webex Meetings XML and REST APIs, against a real site "
        "or the embedded emulator.",
    )
    parser.add_argument("--version", action="version", version=f"webex-harness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--env", default=None, help="environment file or name (default: environments/emulator.yaml)")
        p.add_argument("--seed", type=int, default=1, help="seed for generated data (default 1)")

    from webex_harness.environment.model import SCENARIO_NAMES, SHAPE_NAMES

    def load_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--users",
            type=int,
            default=None,
            help="concurrent locust users (default: the mix's total weight, at least 5)",
        )
        p.add_argument("--spawn-rate", type=float, default=5, help="users started per second (default 5)")
        p.add_argument("--run-time", default="20s", help="load duration, e.g. 20s, 2m (default 20s)")
        p.add_argument(
            "--scenario",
            choices=SCENARIO_NAMES,
            default=None,
            help="run only this scenario (default: the environment file's load.mix; mixed = that mix)",
        )
        p.add_argument(
            "--shape",
            choices=SHAPE_NAMES,
            default=None,
            help="load shape (default: the environment file's load.shape, else steady)",
        )
        p.add_argument(
            "--processes",
            type=int,
            default=None,
            metavar="N",
            help="locust worker processes (N > 1: a master plus N workers; default 1)",
        )
        p.add_argument(
            "--max-failure-ratio",
            default=None,
            metavar="X",
            help="gate: failures / requests of the whole run at most X (e.g. 0.01)",
        )
        p.add_argument(
            "--max-p95",
            action="append",
            default=[],
            metavar="[API=]MS",
            help="gate: p95 of API (no API: of every API) at most MS milliseconds (repeatable)",
        )
        p.add_argument(
            "--min-rps",
            action="append",
            default=[],
            metavar="[API=]RPS",
            help="gate: requests per second of API (no API: of the whole run) at least RPS (repeatable)",
        )

    p = sub.add_parser("emulator", help="serve the Webex emulator on loopback")
    common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--allow-remote", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--control-token",
        default=os.environ.get("WEBEX_HARNESS_CONTROL_TOKEN") or None,
        metavar="TOKEN",
        help="the control API (/_emulator/) then asks for 'Authorization: Bearer TOKEN' (default "
        "$WEBEX_HARNESS_CONTROL_TOKEN; made up and printed when the emulator listens beyond loopback)",
    )
    p.add_argument(
        "--busy",
        action="store_true",
        help="the default site plays a busy shared production site: foreign meetings, events and contacts, "
        "a background writer, latency jitter, rare 503s (see emulator/busy.py)",
    )
    p.add_argument(
        "--busy-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a busy-site option, e.g. seed=7, jitter_ms=0, unavailable_one_in=0 (repeatable; implies --busy)",
    )
    p.set_defaults(func=cmd_emulator)

    def contract_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
        p.add_argument("--behaviour", action="append", help="only the tests marked with this behaviour ID (repeatable)")
        p.add_argument(
            "--profile",
            default=None,
            metavar="PROFILE",
            help="smoke (the cheapest site-runnable test per behaviour), standard (all but the generic "
            "catalogue edge cases) or full (default: full on the emulator, smoke on a site)",
        )
        emulator_url(p)

    def out_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--out",
            default=None,
            metavar="DIR",
            help="the run folder, new or empty, with fixed file names inside (junit.xml, load-gates.xml, "
            "summary.html …) for a CI job to pick up (default: reports/<run-id>/)",
        )

    def emulator_url(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--emulator-url", default=None, help="an emulator target: use this running emulator instead of starting one"
        )

    p = sub.add_parser(
        "run", help="contract suites + a short bounded load run; writes reports/<run-id>/ (or --out DIR)"
    )
    common(p)
    load_opts(p)
    contract_opts(p)
    out_opt(p)
    p.set_defaults(func=lambda a: cmd_run(a))

    p = sub.add_parser("contracts", help="the contract suites only; writes reports/<run-id>/ (or --out DIR)")
    common(p)
    contract_opts(p)
    out_opt(p)
    p.set_defaults(func=lambda a: cmd_run(a, load=False))

    p = sub.add_parser(
        "costs",
        help="the estimated requests of each profile on the target; --refresh measures "
        "every contract test again and rewrites contracts/costs.json",
    )
    common(p)
    p.add_argument(
        "--refresh",
        action="store_true",
        help="run every contract test on a local emulator and in site mode against a stand-in site "
        "(about a minute) and rewrite contracts/costs.json",
    )
    p.set_defaults(func=cmd_costs)

    p = sub.add_parser("load", help="a bounded locust run only; writes reports/<run-id>/ (or --out DIR)")
    common(p)
    load_opts(p)
    emulator_url(p)
    out_opt(p)
    p.set_defaults(func=lambda a: cmd_run(a, contracts=False), behaviour=None, workers=1, profile=None)

    p = sub.add_parser(
        "compare",
        help="compare two load runs (rps, p50/p95/p99, failure ratio per API); writes compare-<A>-vs-<B>.md and .svg",
    )
    p.add_argument(
        "run_a", metavar="RUN_A", help="the run before: a run id under reports/, a run folder or a load.json"
    )
    p.add_argument("run_b", metavar="RUN_B", help="the run after (same forms)")
    p.add_argument("--reports", default=None, help="the reports folder run ids are looked up in (default: reports/)")
    p.add_argument("--out", default=None, help="where to write the comparison (default: RUN_B's folder)")
    p.add_argument(
        "--env",
        default=None,
        help="environment file or name whose load.compare limits apply (default: none, the built-in limits)",
    )
    for key, default in (
        ("max_rps_drop", "0.10"),
        ("max_p95_increase", "0.20"),
        ("max_p99_increase", "0.30"),
        ("max_failure_ratio_increase", "0.01"),
    ):
        p.add_argument(
            f"--{key.replace('_', '-')}",
            dest=key,
            default=None,
            metavar="X",
            help=f"regression limit as a fraction or a percentage (default: load.compare.{key}, else {default})",
        )
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("selfcheck", help="prove every emulator fault is detected by its contract tests")
    common(p)
    p.add_argument("--fault", action="append", help="check only this fault (repeatable)")
    p.add_argument(
        "--suite",
        choices=SUITE_CHOICES,
        default="examples",
        help="examples: per fault, the example tests of its behaviour (default); stateful: every state machine; "
        "all: both",
    )
    p.add_argument("--workers", type=int, default=2, help="faults checked in parallel (default 2)")
    out_opt(p)
    p.set_defaults(func=cmd_selfcheck)

    p = sub.add_parser(
        "replay", help="run the saved steps of a state machine's failure again (a replay file) on any target"
    )
    p.add_argument("file", metavar="FILE", help="the replay file a failing state machine saved (<run>/stateful/*.json)")
    common(p)
    p.add_argument("--fault", action="append", help="emulator fault to switch on (repeatable; emulator targets only)")
    out_opt(p)
    emulator_url(p)
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("cleanup", help="delete what earlier runs left on the target (their ledgers, their names)")
    common(p)
    p.add_argument("--run", default=None, metavar="RUN_ID", help="only this run (default: every run's ledger)")
    p.add_argument(
        "--run-dir", default=None, metavar="DIR", help="only the run whose folder is DIR (a run written with --out DIR)"
    )
    p.add_argument("--reports", default=None, help="the reports folder (default: reports/)")
    emulator_url(p)
    p.set_defaults(func=cmd_cleanup)

    p = sub.add_parser(
        "prune",
        help="delete old run folders under the reports folder (never .safety, never a run "
        "whose ledger lists objects still on the target unless --force)",
    )
    p.add_argument("--keep", default=None, metavar="N", help="keep the newest N runs")
    p.add_argument(
        "--older-than",
        default=None,
        metavar="AGE",
        help="remove only runs started longer ago than AGE: 30m, 12h, 7d, 2w",
    )
    p.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    p.add_argument(
        "--force",
        action="store_true",
        help="remove runs whose ledger still lists objects not deleted on the target too",
    )
    p.add_argument("--reports", default=None, help="the reports folder (default: reports/)")
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("report", help="render a run's summary.html/summary.md again, or (--allure) its allure report")
    p.add_argument(
        "--run",
        default=None,
        metavar="RUN",
        help="the run: a run id under reports/ or a run folder such as an --out DIR (default: the latest)",
    )
    p.add_argument("--allure", action="store_true", help="build the allure HTML report (needs the allure tool)")
    p.add_argument("--reports", default=None, help="the reports folder (default: reports/)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "probe-rate-limit",
        help="discover the 403 usage-limit threshold (locks users out: "
        "needs allow.lockout on a real site); writes probe.json",
    )
    p.add_argument("--env", default=None, help="environment file or name (default: environments/emulator.yaml)")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("apis", help="every API the harness knows, one a line: XML then REST")
    p.add_argument(
        "--missing",
        action="store_true",
        help="the XML API reference's APIs not answered yet, one a line, and how many of them are",
    )
    p.set_defaults(func=cmd_apis)

    p = sub.add_parser(
        "checks", help="the checks every answer of a contract run is judged by: name, state, rule, source"
    )
    p.add_argument(
        "--env", default=None, help="environment file or name whose checks.off to show (default: all checks on)"
    )
    p.add_argument("--json", action="store_true", help="as a JSON array")
    p.set_defaults(func=cmd_checks)

    p = sub.add_parser("generate", help="a generated envelope for API on stdout")
    p.add_argument("api")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--edge", action="store_true", help="the edge cases as a JSON array instead")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser(
        "diff-versions", help="what changed between two XML API releases (APIs, elements, behaviours, meetingUUID)"
    )
    p.add_argument("old", metavar="A", help="the release to start from, e.g. 40.4.0")
    p.add_argument("new", metavar="B", help="the release to compare with, e.g. 40.12.0")
    p.add_argument("--json", action="store_true", help="print the changes as one JSON object instead")
    p.set_defaults(func=cmd_diff_versions)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv`` names (default: ``sys.argv[1:]``); its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:  # every value before anything starts (runs.cli_checks)
        check_arguments(args)
    except UsageProblem as problem:
        return fail(str(problem), 2)
    # the emulator's server has its own graceful SIGTERM
    previous = handle_stop_signals() if args.command != "emulator" else {}
    try:
        return int(args.func(args))
    except EnvironmentFileError as err:
        return fail(str(err), 2)
    except Stopped as stop:
        return fail(f"stopped by {stop.name}", 128 + stop.signum)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:  # `webex-harness generate … | head` closed our stdout: stop quietly, as `cat` would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes it
        return 141
    finally:
        restore_handlers(previous)


if __name__ == "__main__":
    sys.exit(main())
