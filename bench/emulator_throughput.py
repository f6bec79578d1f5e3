"""Emulator XML throughput and latency against a bare ASGI "hello" POST on the same server stack (issues 6, 17).

    python bench/emulator_throughput.py                       # 5 rounds x 5 s, text table
    python bench/emulator_throughput.py --markdown            # the Markdown for docs/performance.md
    python bench/emulator_throughput.py --rounds 3 --seconds 3

Three targets, each served by ``bench/serve_target.py`` in its own process pinned to one CPU (the
first CPU this process may use), all on ``emulator.server.server_config`` (uvicorn + httptools +
uvloop, one worker):

``hello``
    a bare ASGI app that reads the POST body and answers ``hello`` — the ceiling of the stack;
``GetSessionInfo``
    the emulator answering GetSessionInfo for a meeting that exists (SUCCESS);
``CreateMeeting``
    the emulator creating a meeting per request (SUCCESS).

The load generator is ``wrk`` (``make bench`` installs Debian's package), pinned to the other CPU,
POSTing a fixed envelope from a Lua script that also checks every answer (HTTP 200 and, for the
emulator, ``<serv:result>SUCCESS</serv:result>``): a benchmark that counted FAILURE envelopes would
measure the wrong thing, so any unexpected answer makes the script exit 1. Each round runs every
target in turn (hello, GetSessionInfo, CreateMeeting) twice: ``--connections`` connections for
throughput, then one connection for latency (p50/p99). The emulator is reset before every run
(control API ``POST /_emulator/reset``) and a fresh meeting created for GetSessionInfo: CreateMeeting
adds a meeting per request, and resetting keeps every run starting from the same small state.

Figures are medians over ``--rounds``; the ratio emulator/hello is the median of the per-round
ratios (each measured minutes apart at most, so it is robust to a shared, noisy machine, which the
absolute requests per second are not). Traffic goes to 127.0.0.1 only.

Targets (issue 17), one verdict line each: GetSessionInfo at least :data:`RATIO_TARGETS` ``0.33`` of
hello's requests per second, CreateMeeting at least ``0.25``; and for both, p99 at one connection at
most :data:`P99_FACTOR` (1.5) times hello's p99 — the median over rounds of the per-round quotient,
each quotient of two runs of the same round, so a busy moment of the machine counts on both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_ROOT))

from bench.target_server import BenchError, TargetServer  # noqa: E402
from webex_harness.environment.loader import load_environment  # noqa: E402
from webex_harness.webex.envelope import Security, build_request  # noqa: E402

XML_PATH = "/WBXService/XMLService"
SUCCESS = "<serv:result>SUCCESS</serv:result>"
HELLO = "hello"
#: Targets (issue 17): requests per second of each emulator target over hello's, at least this ...
RATIO_TARGETS = {"GetSessionInfo": 0.33, "CreateMeeting": 0.25}
#: ... and p99 at one connection at most this many times hello's p99 of the same round.
P99_FACTOR = 1.5
TARGETS = ("hello", "GetSessionInfo", "CreateMeeting")

_LUA = r"""
local body_file, expect = %s, %s
local f = assert(io.open(body_file, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "text/xml; charset=UTF-8"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0; first_bad = "" end
function response(status, headers, body)
  if status == 200 and string.find(body, expect, 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body, 1, 300) end
  end
end
function done(summary, latency, requests)
  local ok_all, bad_all, first = 0, 0, ""
  for _, t in ipairs(threads) do
    ok_all = ok_all + t:get("ok")
    bad_all = bad_all + t:get("bad")
    if first == "" then first = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "ok": %%d, "bad": %%d, "errors": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "mean_us": %%.1f, "max_us": %%d}\n',
    summary.requests, summary.duration, ok_all, bad_all,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
  if first ~= "" then io.write("WRKBAD " .. string.gsub(first, "\n", " ") .. "\n") end
end
"""


@dataclass(slots=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int
    errors: int
    first_bad: str = ""
    #: successful requests per CPU-second the server process used (robust to a shared CPU)
    per_cpu_s: float = 0.0


@dataclass(slots=True)
class Series:
    """Every round's figures of one target."""

    throughput: list[WrkResult] = field(default_factory=list)
    latency: list[WrkResult] = field(default_factory=list)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not installed: run `make bench` (installs it with apt-get) or `apt-get install wrk`")
    return wrk


def wrk_version(wrk: str) -> str:
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].split("Copyright")[0].strip() if first else "wrk"


def choose_cpus() -> tuple[int | None, int | None, str]:
    """(server CPU, load-generator CPU, how it was pinned)."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None, "not pinned (no sched_setaffinity on this platform)"
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return cpus[0], cpus[0], f"server and wrk share CPU {cpus[0]} (only one CPU available)"
    return cpus[0], cpus[1], f"server pinned to CPU {cpus[0]}, wrk to CPU {cpus[1]}"


def _pin(cpu: int | None) -> Callable[[], None] | None:
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def _http(method: str, url: str, body: bytes = b"", content_type: str = "text/xml") -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body if method == "POST" else None, method=method, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def start_server(target: str, cpu: int | None, log_dir: Path) -> TargetServer:
    """``bench/serve_target.py <target>`` (``hello`` or ``emulator``) on a free loopback port, pinned to ``cpu``."""
    pin = ["--cpu", str(cpu)] if cpu is not None else []
    return TargetServer(target, _HERE / "serve_target.py", target, *pin, log_dir=log_dir, timeout=20)


class Workload:
    """What wrk sends to one target, set up afresh before every run."""

    def __init__(self, name: str, server: TargetServer, security: Security, work_dir: Path) -> None:
        self.name = name
        self.server = server
        self.security = security
        self.body_file = work_dir / f"{name}.xml"
        self.script = work_dir / f"{name}.lua"
        expect = HELLO if name == "hello" else SUCCESS
        self.script.write_text(_LUA % (_lua_string(str(self.body_file)), _lua_string(expect)))

    @property
    def url(self) -> str:
        return self.server.base + XML_PATH

    def _create_meeting_envelope(self) -> bytes:
        start = (datetime.now() + timedelta(days=3)).replace(second=0, microsecond=0)
        body = {
            "metaData": {"confName": "bench-throughput"},
            "schedule": {"startDate": start.strftime("%m/%d/%Y %H:%M:%S"), "duration": 30},
        }
        return build_request("meeting", "CreateMeeting", body, self.security)

    def prepare(self) -> None:
        """Reset the emulator and write this run's envelope (checked: one request answers SUCCESS)."""
        if self.name == "hello":
            self.body_file.write_bytes(self._create_meeting_envelope())  # a body of the same size class
            return
        status, _ = _http("POST", self.server.base + "/_emulator/reset", b"{}", "application/json")
        if status != 200:
            raise BenchError(f"POST /_emulator/reset answered {status}")
        create = self._create_meeting_envelope()
        if self.name == "CreateMeeting":
            envelope = create
        else:
            status, answer = _http("POST", self.url, create)
            key = _between(answer, b"<meet:meetingkey>", b"</meet:meetingkey>")
            if status != 200 or not key:
                raise BenchError(f"CreateMeeting (setup for GetSessionInfo) failed: {status} {answer[:200]!r}")
            envelope = build_request("ep", "GetSessionInfo", {"sessionKey": key.decode()}, self.security)
        status, answer = _http("POST", self.url, envelope)
        if status != 200 or SUCCESS.encode() not in answer:
            raise BenchError(f"{self.name} does not answer SUCCESS: {status} {answer[:300]!r}")
        self.body_file.write_bytes(envelope)


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _between(data: bytes, start: bytes, end: bytes) -> bytes:
    i = data.find(start)
    j = data.find(end, i + len(start)) if i >= 0 else -1
    return data[i + len(start) : j].strip() if i >= 0 and j >= 0 else b""


def run_wrk(wrk: str, workload: Workload, connections: int, seconds: float, cpu: int | None) -> WrkResult:
    cmd = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(workload.script),
        workload.url,
    ]
    cpu_before = workload.server.cpu_seconds()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, preexec_fn=_pin(cpu), timeout=seconds + 30)
    cpu_used = workload.server.cpu_seconds() - cpu_before
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise BenchError(f"wrk gave no result (exit {out.returncode}): {(out.stderr or out.stdout).strip()[:300]}")
    data = json.loads(line[len("WRKJSON ") :])
    first_bad = next((x[len("WRKBAD ") :] for x in out.stdout.splitlines() if x.startswith("WRKBAD ")), "")
    return WrkResult(
        rps=data["ok"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        bad=data["bad"],
        errors=data["errors"],
        first_bad=first_bad,
        per_cpu_s=data["ok"] / cpu_used if cpu_used > 0 else 0.0,
    )


@dataclass(slots=True)
class Report:
    series: dict[str, Series]
    rounds: int
    seconds: float
    latency_seconds: float
    connections: int
    pinning: str
    wrk: str
    load_before: float

    def ratios(self, name: str) -> list[float]:
        hello = self.series["hello"].throughput
        return [t.rps / h.rps for t, h in zip(self.series[name].throughput, hello, strict=True) if h.rps]

    def cpu_ratios(self, name: str) -> list[float]:
        hello = self.series["hello"].throughput
        return [
            t.per_cpu_s / h.per_cpu_s for t, h in zip(self.series[name].throughput, hello, strict=True) if h.per_cpu_s
        ]

    def p99_ratios(self, name: str) -> list[float]:
        """Per round: the target's p99 at one connection over hello's p99 of the same round."""
        hello = self.series["hello"].latency
        return [t.p99_ms / h.p99_ms for t, h in zip(self.series[name].latency, hello, strict=True) if h.p99_ms]

    def rows(self) -> list[dict[str, str]]:
        rows = []
        for name in TARGETS:
            s = self.series[name]
            rps = [r.rps for r in s.throughput]
            ratios = self.ratios(name)
            cpu_ratios = self.cpu_ratios(name) or [0.0]
            rows.append(
                {
                    "target": name,
                    "rps": f"{statistics.median(rps):.0f}",
                    "range": f"{min(rps):.0f}–{max(rps):.0f}",
                    "ratio": "1" if name == "hello" else f"{statistics.median(ratios):.3f}",
                    "ratio_range": "" if name == "hello" else f"{min(ratios):.3f}–{max(ratios):.3f}",
                    "cpu": f"{statistics.median(r.per_cpu_s for r in s.throughput):.0f}",
                    "cpu_ratio": "1" if name == "hello" else f"{statistics.median(cpu_ratios):.3f}",
                    "us": f"{1e6 / statistics.median(r.per_cpu_s for r in s.throughput):.0f}"
                    if any(r.per_cpu_s for r in s.throughput)
                    else "",
                    "rps1": f"{statistics.median(r.rps for r in s.latency):.0f}",
                    "p50": f"{statistics.median(r.p50_ms for r in s.latency):.3f}",
                    "p99": f"{statistics.median(r.p99_ms for r in s.latency):.3f}",
                }
            )
        return rows

    def verdicts(self) -> list[str]:
        """One line per target of issue 17: the throughput ratio, then p99 at one connection."""
        out = []
        hello_p99 = statistics.median(r.p99_ms for r in self.series["hello"].latency)
        for name in TARGETS[1:]:
            target = RATIO_TARGETS[name]
            ratio = statistics.median(self.ratios(name))
            cpu_ratio = statistics.median(self.cpu_ratios(name) or [0.0])
            out.append(
                f"{name} throughput: ratio {ratio:.3f} {'meets' if ratio >= target else 'MISSES'} the target "
                f"(≥ {target}); per server CPU-second {cpu_ratio:.3f}."
            )
            p99 = statistics.median(r.p99_ms for r in self.series[name].latency)
            factor = statistics.median(self.p99_ratios(name) or [float("inf")])
            out.append(
                f"{name} p99 at one connection: {p99:.3f} ms, {factor:.2f}× hello's ({hello_p99:.3f} ms), "
                f"{'meets' if factor <= P99_FACTOR else 'MISSES'} the target (≤ {P99_FACTOR}× hello's p99)."
            )
        return out

    def how(self) -> str:
        return (
            f"Python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
            f"{os.cpu_count()} CPUs; {self.pinning}; {self.wrk}, one thread; {self.rounds} rounds, each "
            f"running hello, GetSessionInfo, CreateMeeting in turn for {self.seconds:g} s at "
            f"{self.connections} connections (throughput) and {self.latency_seconds:g} s at one connection "
            f"(latency); medians over rounds; emulator reset before every run; "
            f"load average {self.load_before:.2f} before the first run."
        )

    def markdown(self) -> str:
        lines = [
            self.how(),
            "",
            "| target | req/s (median) | req/s range | ratio to hello (median) | ratio range "
            "| req per server CPU-s | server CPU µs/req | CPU ratio to hello "
            "| req/s @1 conn | p50 ms @1 conn | p99 ms @1 conn |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in self.rows():
            lines.append(
                f"| {r['target']} | {r['rps']} | {r['range']} | {r['ratio']} | {r['ratio_range']} "
                f"| {r['cpu']} | {r['us']} | {r['cpu_ratio']} | {r['rps1']} | {r['p50']} | {r['p99']} |"
            )
        lines += ["", *self.verdicts()]
        return "\n".join(lines)

    def text(self) -> str:
        head = (
            "target",
            "req/s",
            "range",
            "ratio",
            "ratio range",
            "req/CPU-s",
            "CPU µs/req",
            "CPU ratio",
            "req/s@1",
            "p50 ms@1",
            "p99 ms@1",
        )
        keys = ("target", "rps", "range", "ratio", "ratio_range", "cpu", "us", "cpu_ratio", "rps1", "p50", "p99")
        rows = [head, *[tuple(r[k] for k in keys) for r in self.rows()]]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        table = "\n".join(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows
        )
        return "\n".join([self.how(), "", table, "", *self.verdicts()])


def bench(rounds: int, seconds: float, latency_seconds: float, connections: int, warmup: float) -> Report:
    wrk = require_wrk()
    server_cpu, client_cpu, pinning = choose_cpus()
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})  # this driver idles on the load generator's CPU
    env = load_environment(_ROOT / "environments" / "emulator.yaml")
    security = env.security()
    series = {name: Series() for name in TARGETS}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wxh-bench-") as tmp:
        work = Path(tmp)
        servers: list[TargetServer] = []
        try:
            hello = start_server("hello", server_cpu, work)
            servers.append(hello)
            emulator = start_server("emulator", server_cpu, work)
            servers.append(emulator)
            workloads = [
                Workload("hello", hello, security, work),
                Workload("GetSessionInfo", emulator, security, work),
                Workload("CreateMeeting", emulator, security, work),
            ]
            for w in workloads:  # warm up: imports, caches, the JIT-less interpreter's first calls
                w.prepare()
                run_wrk(wrk, w, connections, warmup, client_cpu)
            for round_no in range(1, rounds + 1):
                for w in workloads:
                    w.prepare()
                    throughput = run_wrk(wrk, w, connections, seconds, client_cpu)
                    w.prepare()
                    latency = run_wrk(wrk, w, 1, latency_seconds, client_cpu)
                    for result in (throughput, latency):
                        if result.bad or result.errors:
                            raise BenchError(
                                f"{w.name}: {result.bad} unexpected answers, {result.errors} socket "
                                f"errors; first: {result.first_bad[:300]}"
                            )
                    series[w.name].throughput.append(throughput)
                    series[w.name].latency.append(latency)
                    progress(
                        f"round {round_no}/{rounds} {w.name:<15} {throughput.rps:8.0f} req/s "
                        f"({throughput.per_cpu_s:.0f}/CPU-s) @{connections}; "
                        f"@1: {latency.rps:6.0f} req/s p50 {latency.p50_ms:.3f} ms "
                        f"p99 {latency.p99_ms:.3f} ms"
                    )
        finally:
            for server in servers:
                server.stop()
    return Report(series, rounds, seconds, latency_seconds, connections, pinning, wrk_version(wrk), load_before)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per throughput run (default 5)")
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=None,
        help="seconds per one-connection latency run (default: --seconds)",
    )
    parser.add_argument("--connections", type=int, default=16, help="connections for throughput (default 16)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per target (default 1)")
    parser.add_argument("--markdown", action="store_true", help="print the Markdown for docs/performance.md")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.seconds < 1 or args.connections < 1:
        parser.error("--rounds, --seconds and --connections must be at least 1")
    latency_seconds = args.latency_seconds or args.seconds
    total = args.rounds * len(TARGETS) * (args.seconds + latency_seconds) + len(TARGETS) * args.warmup
    progress(f"emulator throughput: about {total:.0f} s of wrk runs …")
    try:
        report = bench(args.rounds, args.seconds, latency_seconds, args.connections, args.warmup)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.markdown() if args.markdown else report.text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
