"""``webex-harness replay FILE``: run the saved steps of a state machine's failure again, on any target.

The file is what a failing state machine saved (``<run folder>/stateful/<Machine>.json``,
:mod:`contracts.stateful.runner`). Everything is checked before anything starts — the file (readable,
a replay file, a known machine, known rules), the environment, every URL, the faults (known, and only
on an emulator target) — then the run is a contract run of one test (``contracts/stateful/replay_case.py``
with ``--replay FILE``): the same run folder, request budget, ledger, masking, end-of-run clean-up
and summary as ``webex-harness contracts``. The numbered steps are printed first; a failure prints
them again with their masked envelopes. Exit 0: the steps pass now; 1: they fail again (or could
not run on this target: skipped, the reason printed); 2: bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from webex_harness.environment.guard import GuardError, check_environment
from webex_harness.environment.model import Environment
from webex_harness.runs.cli_common import OutFolderError, environment_of, fail, keep_state_in_reports_root, out_folder
from webex_harness.workspace.run_folder import Run

__all__ = ["REPLAY_TEST", "cmd_replay"]

#: the one test a replay runs, under the suites' folder
REPLAY_TEST = "stateful/replay_case.py::test_replay"


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay ``args.file`` on the target of ``--env`` (with ``--fault`` on an emulator)."""
    from webex_harness.contracts.stateful.runner import load_replay, step_lines

    path = Path(args.file)
    try:
        recorded = load_replay(path)
    except ValueError as exc:
        return fail(str(exc), 2)
    env = environment_of(args)
    try:
        check_environment(env, getattr(args, "emulator_url", None))
    except GuardError as exc:
        return fail(str(exc), 2)
    faults = list(args.fault or [])
    if faults and not env.is_emulator:
        return fail(f"--fault {faults[0]}: faults exist only on an emulator target, {env.name!r} is a real site", 2)
    try:
        folder = out_folder(getattr(args, "out", None))
    except OutFolderError as exc:
        return fail(str(exc), 2)
    return _replay(args, env, path, recorded.machine.__name__, step_lines(recorded), faults, folder)


def _replay(
    args: argparse.Namespace,
    env: Environment,
    path: Path,
    machine: str,
    steps: list[str],
    faults: list[str],
    folder: Path | None,
) -> int:
    from webex_harness.plugin.suite_command import CONTRACTS_DIR
    from webex_harness.runs.report import write_summary
    from webex_harness.runs.run_command import _cleanup_problem, _scrub_run
    from webex_harness.runs.runner import run_contracts, start_run_budget, target_up
    from webex_harness.workspace.results import load_results

    run = Run(env, seed=args.seed, folder=folder)
    if run.folder is not None:
        keep_state_in_reports_root(run.root)
    run.create()
    with_faults = f" with fault {', '.join(faults)}" if faults else ""
    print(f"replay of {path}: {machine}, {len(steps)} step(s), on {env.name}{with_faults}", flush=True)
    for line in steps:
        print(f"  {line}", flush=True)
    print(f"run {run.run_id}: reports in {run.dir}", flush=True)
    start_run_budget(run, contracts=True, load=False)
    extra = ["--replay", str(path.resolve()), "--profile", "full", "--tb=short"]
    for fault in faults:
        extra += ["--fault", fault]
    with target_up(run, getattr(args, "emulator_url", None)) as target:
        run.environment = target.environment
        code = run_contracts(run, target, extra=extra, workers=1, tests=[str(CONTRACTS_DIR / REPLAY_TEST)])
    results = load_results(run.dir)
    skipped = [r.reason for r in results if r.outcome == "skipped"]
    problems = []
    if code == 0 and skipped:
        problems.append(f"the replay could not run on this target: {skipped[0]}")
    elif code == 1:
        problems.append("the replay fails again")
    elif code != 0:
        problems.append(f"the replay did not run (pytest exit code {code})")
    cleanup = _cleanup_problem(run)
    if cleanup:
        problems.append(cleanup)
    verdict = "; ".join(problems) if problems else "the replay passes: the steps no longer fail"
    write_summary(run, exit_code=1 if problems else 0, verdict=verdict)
    _scrub_run(run, env)
    if problems:
        return fail(verdict, 1)
    print(verdict, flush=True)
    return 0
