"""The server a benchmark measures, as a subprocess: start it on a free loopback port, wait until it
answers, read its CPU time and memory, stop it.

    server = TargetServer("emulator", BENCH / "serve_target.py", "emulator", log_dir=work)
    try:
        ...  # requests to server.base
    finally:
        server.stop()

The command is ``python SCRIPT ARGS… --port N`` (N a free port on 127.0.0.1), its output in
``<log_dir>/<name>.log``; it is ready once ``GET /_emulator/health`` answers 200 — the emulator's
health check, and any answer of the bare servers, which answer every request 200. A server that
exits or does not answer within ``timeout`` seconds is stopped and raises :class:`BenchError` naming
the last line of its log. Used by ``bench/emulator_throughput.py``, ``bench/emulator_growth.py`` and
``bench/locust_overhead.py``.

Stands on :func:`emulator.server.free_port` and :func:`load.locust_process.stop_process` (SIGTERM,
then SIGKILL after a bound); the bench scripts put the repository root on ``sys.path`` before
importing it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from webex_harness.emulator.server import free_port
from webex_harness.load.locust_process import stop_process

__all__ = ["HEALTH_PATH", "HOST", "BenchError", "TargetServer"]

HOST = "127.0.0.1"  # loopback only: benchmark traffic never leaves the machine
HEALTH_PATH = "/_emulator/health"


class BenchError(RuntimeError):
    """The benchmark cannot measure (no wrk, a server that does not start, an unexpected answer): one
    line for the user."""


class TargetServer:
    """One server subprocess of a benchmark on a free loopback port (module docstring)."""

    def __init__(self, name: str, script: Path, *args: str, log_dir: Path, timeout: float = 30.0) -> None:
        self.name = name
        self.port = free_port(HOST)
        self.base = f"http://{HOST}:{self.port}"
        self.log = log_dir / f"{name}.log"
        command = [sys.executable, str(script), *args, "--port", str(self.port)]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=Path(__file__).resolve().parent.parent,
            )
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.base + HEALTH_PATH, timeout=2) as answer:  # loopback only
                    if answer.status == 200:
                        return
            except OSError:  # not listening yet (an HTTP error status is an OSError too)
                pass
            time.sleep(0.1)
        self.stop()
        tail = self.log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise BenchError(f"the {self.name} server did not start on {self.base}: {tail[0]}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux ``/proc``; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """The server process's resident memory in MB (Linux ``/proc``; :class:`BenchError` elsewhere)."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            status = ""
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise BenchError("no VmRSS in /proc (this bench needs Linux)")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        stop_process(self.proc)
