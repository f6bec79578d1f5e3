"""Serve one target of ``bench/emulator_throughput.py``, pinned to one CPU, on loopback.

    python bench/serve_target.py hello --port 8081 --cpu 0      # the bare ASGI baseline
    python bench/serve_target.py emulator --port 8082 --cpu 0   # the emulator (environments/emulator.yaml)

Both run on the emulator's own server stack: ``emulator.server.server_config`` (uvicorn, httptools
through :class:`emulator.server.BoundedHttpToolsProtocol`, uvloop, no access log, one worker). The
emulator is started through :func:`emulator.server.serve`, the function ``webex-harness emulator``
calls, with the default environment file's site name and settings. The only difference between the
two targets is therefore the ASGI application — which is what the throughput ratio measures.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from webex_harness.emulator.asgi import Receive, Scope, Send  # noqa: E402

HELLO_BODY = b"hello"
_HELLO_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", str(len(HELLO_BODY)).encode())]


async def hello_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The baseline: read the whole POST body (as the emulator must), answer a fixed small body."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False) and message["type"] != "http.disconnect"
    await send({"type": "http.response.start", "status": 200, "headers": _HELLO_HEADERS})
    await send({"type": "http.response.body", "body": HELLO_BODY})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=("hello", "emulator"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    import uvicorn

    from webex_harness.emulator.server import serve, server_config

    host = "127.0.0.1"  # loopback only: benchmark traffic never leaves the machine
    if args.target == "hello":
        uvicorn.Server(server_config(hello_app, host, args.port)).run()
    else:
        from webex_harness.environment.loader import load_environment

        env = load_environment(_HERE.parent / "environments" / "emulator.yaml")
        serve(host, args.port, env.site_name, env.settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
