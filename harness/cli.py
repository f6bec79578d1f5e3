"""``webex-harness``: the command line.

Commands: ``emulator``, ``run``, ``contracts``, ``load``, ``selfcheck``, ``apis``, ``generate``.
Every command takes ``--env`` (an environment file or name; default ``environments/emulator.yaml``).
Exit codes: 0 everything passed; 1 a test, a gate or a check failed; 2 bad usage or a bad
environment file (one line naming the file, the key and the problem).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from harness import __version__
from harness.environment import Environment, EnvironmentFileError, load_environment, resolve_environment_path
from harness.report import Run, write_summary


def _env(args: argparse.Namespace) -> Environment:
    return load_environment(resolve_environment_path(args.env))


def _fail(message: str, code: int = 1) -> int:
    print(f"webex-harness: {message}", file=sys.stderr)
    return code


def cmd_emulator(args: argparse.Namespace) -> int:
    from emulator.server import serve

    env = _env(args)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.allow_remote:
        return _fail(f"refusing to listen on {args.host}: the emulator serves loopback only "
                     "(pass --allow-remote to override)", 2)
    print(f"webex-harness emulator on http://{args.host}:{args.port} (default site {env.site_name!r})", flush=True)
    serve(args.host, args.port, env.site_name, env.settings)
    return 0


def _load_section(run: Run, env: Environment, args: argparse.Namespace) -> tuple[dict[str, Any] | None, str]:
    from load.runner import LoadError, run_load

    try:
        result = run_load(env, run.dir, users=args.users, spawn_rate=args.spawn_rate, run_time=args.run_time)
    except LoadError as exc:
        return None, f"load run failed: {exc}"
    data = result.data
    failures = data.get("total", {}).get("failures", 0)
    return data, (f"load run had {failures} unexpected failures" if failures else "")


def _contracts_verdict(code: int) -> str:
    return {0: "", 5: "no contract test was collected"}.get(code, f"contract tests failed (pytest exit code {code})")


def cmd_run(args: argparse.Namespace, *, contracts: bool = True, load: bool = True) -> int:
    from harness.runner import run_contracts, target_up

    env = _env(args)
    run = Run(env, seed=args.seed)
    run.create()
    print(f"run {run.run_id}: target {env.name} ({env.target}); reports in {run.dir}", flush=True)
    problems: list[str] = []
    load_data = None
    with target_up(run) as target:
        run.environment = target.environment
        if contracts:
            print("== contract suites", flush=True)
            verdict = _contracts_verdict(run_contracts(run, target, workers=args.workers,
                                                         selection=args.behaviour))
            if verdict:
                problems.append(verdict)
        if load:
            print(f"== load ({args.users} users, {args.run_time})", flush=True)
            load_data, verdict = _load_section(run, target.environment, args)
            if verdict:
                problems.append(verdict)
    code = 1 if problems else 0
    verdict = "; ".join(problems) if problems else "all passed"
    path = write_summary(run, exit_code=code, verdict=verdict, load=load_data)
    print(f"summary: {path}")
    if problems:
        return _fail(verdict)
    return 0


def cmd_selfcheck(args: argparse.Namespace) -> int:
    from emulator.faults import all_faults
    from harness.runner import selfcheck, target_up

    env = _env(args)
    if not env.is_emulator:
        return _fail("selfcheck needs the emulator (its faults); use an emulator environment", 2)
    run = Run(env, seed=args.seed)
    run.create()
    faults = args.fault or list(all_faults())
    print(f"selfcheck {run.run_id}: {len(faults)} faults; reports in {run.dir}", flush=True)
    done = [0]

    def progress(row: dict[str, Any]) -> None:
        done[0] += 1
        state = "detected" if row["detected"] else "MISSED"
        print(f"  [{done[0]:>3}/{len(faults)}] {row['id']:<40} {state}", flush=True)

    with target_up(run) as target:
        run.environment = target.environment
        report = selfcheck(run, target, faults, workers=args.workers, progress=progress)
    missed = [f["id"] for f in report["faults"] if not f["detected"]]
    print()
    print(f"{'fault':<42} {'result':<9} failed tests")
    for f in report["faults"]:
        print(f"{f['id']:<42} {'detected' if f['detected'] else 'MISSED':<9} {len(f['failed_tests'])}")
    print(f"baseline (no fault): {'passed' if report['baseline_passed'] else 'FAILED'}")
    problems = []
    if not report["baseline_passed"]:
        problems.append("baseline failed: " + ", ".join(report["baseline_failed_tests"][:5]))
    if missed:
        problems.append(f"{len(missed)} fault(s) missed: {', '.join(missed)}")
    verdict = "; ".join(problems) or "every fault detected"
    path = write_summary(run, exit_code=1 if problems else 0, verdict=verdict, selfcheck=report)
    print(f"selfcheck: {run.dir / 'selfcheck.json'}\nsummary: {path}")
    return _fail(verdict) if problems else 0


def cmd_apis(args: argparse.Namespace) -> int:
    from generators.cli_support import list_apis_lines

    print("\n".join(list_apis_lines()))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from generators.cli_support import generate_text

    try:
        print(generate_text(args.api, args.seed, args.edge))
    except KeyError as exc:
        return _fail(str(exc.args[0]) if exc.args else str(exc), 2)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="webex-harness",
        description="Contract and load tests for the Webex Meetings XML and REST APIs, against a real site "
        "or the embedded emulator.",
    )
    parser.add_argument("--version", action="version", version=f"webex-harness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--env", default=None, help="environment file or name (default: environments/emulator.yaml)")
        p.add_argument("--seed", type=int, default=1, help="seed for generated data (default 1)")

    def load_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--users", type=int, default=5, help="concurrent locust users (default 5)")
        p.add_argument("--spawn-rate", type=float, default=5, help="users started per second (default 5)")
        p.add_argument("--run-time", default="20s", help="load duration, e.g. 20s, 2m (default 20s)")

    p = sub.add_parser("emulator", help="serve the Webex emulator on loopback")
    common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--allow-remote", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_emulator)

    def contract_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
        p.add_argument("--behaviour", action="append", help="only the tests marked with this behaviour ID (repeatable)")

    p = sub.add_parser("run", help="contract suites + a short bounded load run; writes reports/<run-id>/")
    common(p)
    load_opts(p)
    contract_opts(p)
    p.set_defaults(func=lambda a: cmd_run(a))

    p = sub.add_parser("contracts", help="the contract suites only; writes reports/<run-id>/")
    common(p)
    contract_opts(p)
    p.set_defaults(func=lambda a: cmd_run(a, load=False))

    p = sub.add_parser("load", help="a bounded locust run only; writes reports/<run-id>/")
    common(p)
    load_opts(p)
    p.set_defaults(func=lambda a: cmd_run(a, contracts=False), behaviour=None, workers=1)

    p = sub.add_parser("selfcheck", help="prove every emulator fault is detected by its contract tests")
    common(p)
    p.add_argument("--fault", action="append", help="check only this fault (repeatable)")
    p.add_argument("--workers", type=int, default=2, help="faults checked in parallel (default 2)")
    p.set_defaults(func=cmd_selfcheck)

    p = sub.add_parser("apis", help="every API the harness knows, one a line: XML then REST")
    p.set_defaults(func=cmd_apis)

    p = sub.add_parser("generate", help="a generated envelope for API on stdout")
    p.add_argument("api")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--edge", action="store_true", help="the edge cases as a JSON array instead")
    p.set_defaults(func=cmd_generate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except EnvironmentFileError as err:
        return _fail(str(err), 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
