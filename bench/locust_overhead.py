"""The harness's own overhead in a locust process (issue 6, "Speed"): our XML scenario against a bare
``FastHttpUser`` POST-and-parse baseline, side by side in one run.

    python bench/locust_overhead.py [--rounds 3] [--seconds 8] [--users 20] [--markdown]

How it measures:

* **The target** is a canned server pinned to CPU 0: the emulator's own server stack
  (:func:`emulator.server.server_config`: uvicorn, httptools, uvloop) serving, per API, the bytes
  the real emulator answered once at start-up (CreateMeeting, RegisterMeetingAttendee,
  GetSessionInfo, DelMeeting). It does no work per request beyond picking the answer, so the
  locust process — not the target — is what limits throughput.
* **Ours** (``bench/locustfiles/ours.py``): :class:`load.scenarios.CallsUser` with ``load.calls`` =
  ``GetSessionInfo: 1`` — the very class ``webex-harness load`` runs (pre-built envelopes, request
  budget, byte-regex judging, setup and clean-up), with its think time set to zero.
* **Baseline** (``bench/locustfiles/baseline.py``): a bare ``FastHttpUser`` posting one fixed
  GetSessionInfo envelope and parsing each answer with lxml.
* One locust process each, pinned to CPU 1, the same users and run time, alternated over the
  rounds (ours, baseline, ours, …). Throughput is the ``GetSessionInfo`` row of locust's CSV
  (setup and clean-up rows excluded); the verdict is the median ratio ours / baseline (target
  ≥ 0.8: the harness's overhead at most 20 %).

Traffic goes to 127.0.0.1 only and every run is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
#: In a folder of their own: locust puts a locustfile's folder on sys.path, and bench/generators.py
#: would shadow the generators package.
LOCUSTFILES = _HERE / "locustfiles"
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

from bench.target_server import HOST, BenchError, TargetServer  # noqa: E402

XML_PATH = "/WBXService/XMLService"
SERVER_CPU, LOCUST_CPU = 0, 1
TARGET_RATIO = 0.8
#: The captured APIs (what CallsUser's setup, GetSessionInfo calls and clean-up send).
CANNED_APIS = ("CreateMeeting", "RegisterMeetingAttendee", "GetSessionInfo", "DelMeeting")
_API_RE = re.compile(rb"java:com\.webex\.service\.binding\.\w+\.(\w+)")


# --------------------------------------------------------------------------------------------
# The canned target


def capture_responses(out_dir: Path) -> bytes:
    """Ask a real (in-thread) emulator each :data:`CANNED_APIS` once; write the answers to
    ``out_dir/<Api>.xml`` and return the GetSessionInfo envelope the baseline sends."""
    import httpx

    from webex_harness.emulator.server import start_in_thread
    from webex_harness.environment.loader import load_environment
    from webex_harness.environment.model import DEFAULT_ENVIRONMENT
    from webex_harness.webex.envelope import build_request

    env = load_environment(DEFAULT_ENVIRONMENT)
    emulator = start_in_thread(env.site_name, env.settings)
    security = env.security()
    try:
        with httpx.Client(timeout=10) as client:

            def call(service: str, api: str, body: dict[str, object]) -> bytes:
                answer = client.post(
                    emulator.xml_url,
                    content=build_request(service, api, body, security),
                    headers={"Content-Type": "text/xml; charset=UTF-8"},
                )
                if b"SUCCESS" not in answer.content:
                    raise SystemExit(f"locust_overhead: the emulator refused {api}: {answer.text[:300]}")
                (out_dir / f"{api}.xml").write_bytes(answer.content)
                return answer.content

            created = call(
                "meeting",
                "CreateMeeting",
                {"metaData": {"confName": "wxh-bench"}, "schedule": {"startDate": "12/01/2030 10:00:00"}},
            )
            key = re.search(rb"<meet:meetingkey>(\d+)<", created)
            if key is None:
                raise SystemExit("locust_overhead: CreateMeeting answered without meet:meetingkey")
            call(
                "attendee",
                "RegisterMeetingAttendee",
                {
                    "attendees": {"person": {"name": "Bench", "email": "bench@example.com"}},
                    "sessionKey": key.group(1).decode(),
                },
            )
            envelope = build_request("ep", "GetSessionInfo", {"sessionKey": key.group(1).decode()}, security)
            call("ep", "GetSessionInfo", {"sessionKey": key.group(1).decode()})
            call("meeting", "DelMeeting", {"meetingKey": key.group(1).decode()})
    finally:
        emulator.stop()
    return envelope


def serve_canned(port: int, responses: Path) -> None:
    """Serve the captured answers (by the API named in the request body) on the emulator's stack."""
    import uvicorn

    from webex_harness.emulator.asgi import Receive, Scope, Send
    from webex_harness.emulator.server import server_config

    answers = {api.encode(): (responses / f"{api}.xml").read_bytes() for api in CANNED_APIS}
    headers = {
        api: [(b"content-type", b"text/xml;charset=UTF-8"), (b"content-length", str(len(body)).encode())]
        for api, body in answers.items()
    }

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False) and message["type"] != "http.disconnect"
        found = _API_RE.search(b"".join(chunks))
        api = found.group(1) if found and found.group(1) in answers else b"GetSessionInfo"
        await send({"type": "http.response.start", "status": 200, "headers": headers[api]})
        await send({"type": "http.response.body", "body": answers[api]})

    uvicorn.Server(server_config(app, HOST, port)).run()


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


# --------------------------------------------------------------------------------------------
# The locust runs


def environment_file(work: Path) -> Path:
    """environments/emulator.yaml with a ``load:`` section of GetSessionInfo calls only."""
    text = (ROOT / "environments" / "emulator.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^load:.*(?:\n[ #].*)*", "", text)
    text = re.sub(r"(?m)^  max_requests: \d+", "  max_requests: 100000000", text)
    text += "\nload:\n  mix: {calls: 1}\n  calls: {GetSessionInfo: 1}\n"
    path = work / "bench-locust.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_locust(
    locustfile: Path, user_class: str, *, base_url: str, users: int, seconds: int, work: Path, env: dict[str, str]
) -> dict[str, float]:
    """One headless locust process pinned to :data:`LOCUST_CPU`; the GetSessionInfo row."""
    prefix = work / f"{locustfile.stem}-{time.monotonic_ns()}"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(locustfile),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--host",
        base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "2",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    with open(work / "locust.log", "ab") as log:
        proc = subprocess.Popen(
            command, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT, preexec_fn=lambda: _pin(LOCUST_CPU)
        )
        try:
            proc.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise SystemExit(f"locust_overhead: {locustfile.name} did not finish; see {work / 'locust.log'}") from None
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    row = rows.get("GetSessionInfo")
    if row is None:
        raise SystemExit(f"locust_overhead: {locustfile.name} made no GetSessionInfo request; see {work}/locust.log")
    return {
        "rps": float(row["Requests/s"]),
        "requests": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
        "p50": float(row["50%"] or 0),
        "p99": float(row["99%"] or 0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="run time of each locust run (default 8)")
    parser.add_argument("--users", type=int, default=20, help="locust users of each run (default 20)")
    parser.add_argument("--markdown", action="store_true", help="print only the Markdown for docs/performance.md")
    parser.add_argument("--serve-canned", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--responses", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_canned:  # the canned target, started by TargetServer below
        _pin(SERVER_CPU)
        serve_canned(args.port, args.responses)
        return 0
    if args.rounds < 1 or args.seconds < 2 or args.users < 1:
        parser.error("--rounds ≥ 1, --seconds ≥ 2 and --users ≥ 1")

    work = Path(tempfile.mkdtemp(prefix="wxh-locust-bench-"))
    envelope = capture_responses(work)
    (work / "gsi.xml").write_bytes(envelope)
    try:
        server = TargetServer(
            "canned", Path(__file__), "--serve-canned", "--responses", str(work), log_dir=work, timeout=20
        )
    except BenchError as exc:
        raise SystemExit(f"locust_overhead: {exc}") from None
    base_url = server.base
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")}
    child_env.update(
        {
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), child_env.get("PYTHONPATH", "")) if p),
            "WEBEX_HARNESS_ENV": str(environment_file(work)),
            "WEBEX_HARNESS_XML_URL": base_url + XML_PATH,
            "WEBEX_HARNESS_BENCH_ENVELOPE": str(work / "gsi.xml"),
        }
    )
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "baseline": []}
    try:
        for round_no in range(1, args.rounds + 1):
            for name, locustfile, user in (
                ("ours", LOCUSTFILES / "ours.py", "BenchCallsUser"),
                ("baseline", LOCUSTFILES / "baseline.py", "BaselineUser"),
            ):
                result = run_locust(
                    locustfile,
                    user,
                    base_url=base_url,
                    users=args.users,
                    seconds=args.seconds,
                    work=work,
                    env=child_env,
                )
                runs[name].append(result)
                if not args.markdown:
                    print(
                        f"round {round_no}/{args.rounds} {name:8s} {result['rps']:8.0f} rps  "
                        f"p50 {result['p50']:.0f} ms  failures {result['failures']:.0f}",
                        flush=True,
                    )
    finally:
        server.stop()
    failures = sum(r["failures"] for rs in runs.values() for r in rs)
    ratios = [o["rps"] / b["rps"] for o, b in zip(runs["ours"], runs["baseline"], strict=True) if b["rps"]]
    ours = statistics.median(r["rps"] for r in runs["ours"])
    base = statistics.median(r["rps"] for r in runs["baseline"])
    ratio = statistics.median(ratios)
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(
        f"Python {platform.python_version()} on {platform.machine()}; canned target on CPU {SERVER_CPU}, "
        f"locust on CPU {LOCUST_CPU}; {args.rounds} rounds × {args.seconds} s × {args.users} users, alternated.\n"
    )
    print("| locust process | GetSessionInfo rps (median) | ratio to baseline |")
    print("| --- | ---: | ---: |")
    print(f"| bare FastHttpUser POST + lxml parse (baseline) | {base:.0f} | 1.00 |")
    print(f"| webex-harness `calls` scenario (CallsUser) | {ours:.0f} | {ours / base:.2f} |")
    print(
        f"\nMedian of the per-round ratios: **{ratio:.2f}** ({verdict} the ≥ {TARGET_RATIO} target); "
        f"per round: {', '.join(f'{r:.2f}' for r in ratios)}. Failures: {failures:.0f}."
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
