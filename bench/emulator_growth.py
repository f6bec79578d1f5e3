"""Whether the emulator's cost grows with what it has seen (issue 12): speed over a long
create/delete run, and memory under a stream of requests with ever new element names.

    python bench/emulator_growth.py                 # both measurements, text
    python bench/emulator_growth.py --markdown      # the Markdown for docs/performance.md
    python bench/emulator_growth.py --pairs 12000 --window 1000 --requests 60000 --names 10

Each measurement gets its own emulator, started with ``bench/serve_target.py emulator`` (the
server stack of ``webex-harness emulator``) on a free loopback port, and one keep-alive HTTP
connection from this process, one request at a time:

``create/delete``
    ``--pairs`` CreateMeeting + DelMeeting pairs (each checked: SUCCESS, the key read from the
    answer), after ``--warmup`` pairs that are not counted. The run is cut into windows of
    ``--window`` pairs; the figure is the requests per second at the median pair time of the
    *last* window over the *first*, side by side in the same run, target at least
    :data:`KEPT_TARGET` (the median, because on a shared machine another process's burst stalls a
    few pairs of one window; each window's rate with all its time counted is printed too). Every
    DelMeeting records an ended session in the site's history: an emulator that looked through
    that history per request slows down as it fills.
``unique names``
    ``--requests`` GetUser requests, each carrying ``--names`` elements with random names
    never sent before (``n`` + 16 hex digits), after ``--warmup`` requests with fixed names that
    are not counted. The figure is the growth of the emulator's resident set (``VmRSS`` in
    ``/proc/<pid>/status``) over the stream, target at most :data:`RSS_TARGET_MB` MB. lxml keeps
    every name it parses in a per-thread dictionary: an emulator that never renewed it grew
    without end.

Traffic goes to 127.0.0.1 only. The figures are single runs: on a shared machine repeat them.
"""

from __future__ import annotations

import argparse
import http.client
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_ROOT))

from bench.target_server import HOST, BenchError, TargetServer  # noqa: E402
from webex_harness.environment.loader import load_environment  # noqa: E402
from webex_harness.webex.envelope import Security, build_request  # noqa: E402

XML_PATH = "/WBXService/XMLService"
SUCCESS = b"<serv:result>SUCCESS</serv:result>"
#: Targets (issue 12): the last window keeps this share of the first; RSS grows at most this.
KEPT_TARGET = 0.9
RSS_TARGET_MB = 50.0
_KEY = re.compile(rb"<meet:meetingkey>\s*(\d+)\s*</meet:meetingkey>")


def progress(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Emulator:
    """One ``bench/serve_target.py emulator`` process (:class:`bench.target_server.TargetServer`) and a
    keep-alive connection to it."""

    def __init__(self, log_dir: Path, name: str) -> None:
        self.server = TargetServer(f"emulator-{name}", _HERE / "serve_target.py", "emulator", log_dir=log_dir)
        self.conn = http.client.HTTPConnection(HOST, self.server.port, timeout=30)

    def post(self, body: bytes) -> bytes:
        self.conn.request("POST", XML_PATH, body, {"Content-Type": "text/xml; charset=UTF-8"})
        answer = self.conn.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise BenchError(f"HTTP {answer.status}: {data[:200]!r}")
        return data

    def rss_mb(self) -> float:
        return self.server.rss_mb()

    def stop(self) -> None:
        self.conn.close()
        self.server.stop()


@dataclass
class PairsResult:
    pairs: int
    window: int
    #: requests per second of each window of ``window`` pairs, in order (all its time counted)
    rates: list[float] = field(default_factory=list)
    #: requests per second at each window's median pair time (robust to another process's bursts)
    median_rates: list[float] = field(default_factory=list)

    @property
    def kept(self) -> float:
        """Last window over first, at the median pair time: the figure held against :data:`KEPT_TARGET`."""
        return self.median_rates[-1] / self.median_rates[0] if self.median_rates else 0.0

    @property
    def kept_mean(self) -> float:
        return self.rates[-1] / self.rates[0] if self.rates and self.rates[0] else 0.0


@dataclass
class NamesResult:
    requests: int
    names: int
    rss_before_mb: float
    rss_after_mb: float
    successes: int

    @property
    def growth_mb(self) -> float:
        return self.rss_after_mb - self.rss_before_mb


def _envelopes(security: Security) -> tuple[bytes, bytes, bytes]:
    """CreateMeeting, DelMeeting (key ``KEY0000000``) and GetUser envelopes."""
    start = (datetime.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    create = build_request(
        "meeting",
        "CreateMeeting",
        {
            "metaData": {"confName": "bench-growth"},
            "schedule": {"startDate": start.strftime("%m/%d/%Y %H:%M:%S"), "duration": 30},
        },
        security,
    )
    delete = build_request("meeting", "DelMeeting", {"meetingKey": "KEY0000000"}, security)
    version = build_request("user", "GetUser", {"webExId": security.webex_id or "host"}, security)
    return create, delete, version


def _pair(emu: Emulator, create: bytes, delete: bytes) -> None:
    made = emu.post(create)
    key = _KEY.search(made)
    if key is None or SUCCESS not in made:
        raise BenchError(f"CreateMeeting did not answer SUCCESS: {made[:300]!r}")
    gone = emu.post(delete.replace(b"KEY0000000", key.group(1)))
    if SUCCESS not in gone:
        raise BenchError(f"DelMeeting did not answer SUCCESS: {gone[:300]!r}")


def measure_pairs(log_dir: Path, security: Security, pairs: int, window: int, warmup: int) -> PairsResult:
    create, delete, _ = _envelopes(security)
    emu = Emulator(log_dir, "pairs")
    try:
        for _ in range(warmup):
            _pair(emu, create, delete)
        result = PairsResult(pairs, window)
        done = 0
        while done < pairs:
            size = min(window, pairs - done)
            times = []
            for _ in range(size):
                began = time.perf_counter()
                _pair(emu, create, delete)
                times.append(time.perf_counter() - began)
            result.rates.append(2 * size / sum(times))
            result.median_rates.append(2 / statistics.median(times))
            done += size
            progress(
                f"create/delete: {done}/{pairs} pairs, {result.rates[-1]:.0f} requests/s in this window, "
                f"{result.median_rates[-1]:.0f} at the median pair time"
            )
        return result
    finally:
        emu.stop()


def _with_names(envelope: bytes, names: int) -> bytes:
    extra = "".join(f"<n{n}>x</n{n}>" for n in (secrets.token_hex(8) for _ in range(names)))
    head, sep, tail = envelope.rpartition(b"</bodyContent>")
    if not sep:  # an empty body is written <bodyContent .../>
        head, sep, tail = envelope.rpartition(b"/>")
        return head + b">" + extra.encode() + b"</bodyContent>" + tail
    return head + extra.encode() + sep + tail


def measure_names(log_dir: Path, security: Security, requests: int, names: int, warmup: int) -> NamesResult:
    _, _, version = _envelopes(security)
    fixed = _with_names(version, names)
    emu = Emulator(log_dir, "names")
    try:
        for _ in range(warmup):
            emu.post(fixed)
        before = emu.rss_mb()
        successes = 0
        for i in range(1, requests + 1):
            successes += SUCCESS in emu.post(_with_names(version, names))
            if i % 10_000 == 0:
                progress(f"unique names: {i}/{requests} requests, RSS {emu.rss_mb():.1f} MB")
        return NamesResult(requests, names, before, emu.rss_mb(), successes)
    finally:
        emu.stop()


def markdown(pairs: PairsResult | None, names: NamesResult | None) -> str:
    lines = ["| measurement | figure | target | met |", "|---|---|---|---|"]
    if pairs is not None:
        lines.append(
            f"| {pairs.pairs:,} CreateMeeting+DelMeeting pairs, one connection: requests/s at the median pair "
            f"time, first and last window of {pairs.window:,} pairs | {pairs.median_rates[0]:.0f} → "
            f"{pairs.median_rates[-1]:.0f} (kept {pairs.kept:.2f}) | ≥ {KEPT_TARGET} "
            f"| {'yes' if pairs.kept >= KEPT_TARGET else 'no'} |"
        )
        lines.append(
            f"| the same, all of each window's time counted | {pairs.rates[0]:.0f} → {pairs.rates[-1]:.0f} "
            f"(kept {pairs.kept_mean:.2f}) | — | — |"
        )
    if names is not None:
        lines.append(
            f"| {names.requests:,} GetUser requests with {names.names} new element names each: emulator RSS "
            f"| {names.rss_before_mb:.1f} → {names.rss_after_mb:.1f} MB (+{names.growth_mb:.1f} MB) "
            f"| ≤ +{RSS_TARGET_MB:.0f} MB | {'yes' if names.growth_mb <= RSS_TARGET_MB else 'no'} |"
        )
    out = "\n".join(lines)
    if pairs is not None:
        out += "\n\nRequests/s per window at the median pair time: " + ", ".join(f"{r:.0f}" for r in pairs.median_rates)
        out += "\n\nRequests/s per window, all time counted: " + ", ".join(f"{r:.0f}" for r in pairs.rates)
    if names is not None and names.successes != names.requests:
        out += f"\n\n{names.requests - names.successes} of the unique-name requests did not answer SUCCESS."
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the Markdown for docs/performance.md")
    parser.add_argument("--pairs", type=int, default=12_000, help="create/delete pairs measured (default 12000)")
    parser.add_argument("--window", type=int, default=1_000, help="pairs per throughput window (default 1000)")
    parser.add_argument("--requests", type=int, default=60_000, help="unique-name requests (default 60000)")
    parser.add_argument("--names", type=int, default=10, help="new element names per request (default 10)")
    parser.add_argument("--warmup", type=int, default=500, help="uncounted requests/pairs first (default 500)")
    parser.add_argument("--only", choices=("pairs", "names"), help="run one measurement only")
    args = parser.parse_args(argv)
    for name in ("pairs", "window", "requests", "names"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    security = load_environment(_ROOT / "environments" / "emulator.yaml").security()
    pairs = names = None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
            if args.only in (None, "pairs"):
                pairs = measure_pairs(Path(tmp), security, args.pairs, min(args.window, args.pairs), args.warmup)
            if args.only in (None, "names"):
                names = measure_names(Path(tmp), security, args.requests, args.names, args.warmup)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = markdown(pairs, names)
    print(text if args.markdown else re.sub(r"[|*]", " ", text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
