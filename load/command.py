"""The locust command line and process environment of a load run (:func:`load.runner.run_load`).

What a run starts: ``python -m locust`` headless on the locustfiles, writing its CSV files and HTML
report into the run folder (:func:`build_command`), with the ``WEBEX_HARNESS_*`` variables of
:mod:`load.config` in its environment (:func:`child_environ`) — secrets travel there, never on the
command line, where ``ps`` shows them.

No locust import (the CLI's error path imports this module through :mod:`load.runner`). Stands on
:mod:`load.config`.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from webex_harness.load.config import (
    BUDGET_FILE_VAR,
    ENV_FILE_VAR,
    REST_TOKEN_VAR,
    REST_URL_VAR,
    RUN_ID_VAR,
    SCENARIO_VAR,
    SHAPE_VAR,
    XML_URL_VAR,
)

__all__ = [
    "CSV_PREFIX",
    "DEFAULT_LOCUSTFILE",
    "RESERVED_OPTIONS",
    "SHAPE_LOCUSTFILE",
    "STOP_TIMEOUT",
    "build_command",
    "child_environ",
    "free_loopback_port",
]

#: Every scenario (load/locustfile.py documents them and their variables).
DEFAULT_LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
#: The step/spike LoadTestShape, appended to ``-f`` when the shape is not steady.
SHAPE_LOCUSTFILE = Path(__file__).resolve().parent / "shapefile.py"
#: Seconds locust gives its users, once the run ends, to finish the task in flight and delete what they
#: made (``--stop-timeout``; a user still busy then is killed and logs what it left). One request may take
#: up to the users' 30 s network timeout; a run whose users stop promptly is not slowed down by it.
STOP_TIMEOUT = 30
#: ``--csv`` prefix: ``<run_dir>/locust_stats.csv``, ``locust_failures.csv``, ``locust_stats_history.csv``.
CSV_PREFIX = "locust"
#: Options :func:`build_command` sets itself: a caller's extra arguments may not override them (the
#: target rule of :mod:`load.runner`).
RESERVED_OPTIONS = (
    "-H",
    "--host",
    "-f",
    "--locustfile",
    "--csv",
    "--html",
    "-t",
    "--run-time",
    "--processes",
    "--master",
    "--worker",
)


def build_command(
    locustfile: Path | list[Path],
    run_dir: Path,
    *,
    users: int,
    spawn_rate: float,
    run_seconds: float,
    base_url: str,
    processes: int = 1,
    extra_args: list[str] | None = None,
    master_port: int | None = None,
) -> list[str]:
    """The locust command line :func:`load.runner.run_load` runs (no secrets: those go in the environment).

    With ``processes`` > 1 the master listens on ``127.0.0.1:<master_port>`` (a free port unless given)
    and its forked workers connect there: not locust's fixed 5557, which a second run on the machine
    (another CI job, a parallel test) would find taken.
    """
    files = locustfile if isinstance(locustfile, list) else [locustfile]
    distributed: list[str] = []
    if processes > 1:
        port = str(master_port or free_loopback_port())
        distributed = [
            "--processes",
            str(processes),
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            port,
            "--master-host",
            "127.0.0.1",
            "--master-port",
            port,
        ]
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        ",".join(str(f) for f in files),
        "--headless",
        "-u",
        str(users),
        "-r",
        f"{spawn_rate:g}",
        "-t",
        f"{int(run_seconds)}s",
        "--host",
        base_url,
        "--csv",
        str(run_dir / CSV_PREFIX),
        "--csv-full-history",  # a history row per API a second: compare's noise samples (runs.stats)
        "--html",
        str(run_dir / "locust.html"),
        "--stop-timeout",
        str(STOP_TIMEOUT),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        *distributed,
        *(extra_args or []),
    ]


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_environ(
    environment_file: Path,
    xml_url: str,
    run_id: str,
    *,
    scenario: str = "mixed",
    shape: str = "steady",
    rest_url: str | None = None,
    rest_token: str | None = None,
    budget_file: Path | None = None,
) -> dict[str, str]:
    """The locust process's environment: this process's, without any ``LOCUST_*`` or ``WEBEX_HARNESS_*``
    variable, plus the WEBEX_HARNESS_* variables of :mod:`load.config` and the project on PYTHONPATH.

    The REST token travels here, never on the command line (``ps`` shows command lines).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "WEBEX_HARNESS_"))}
    env[ENV_FILE_VAR] = str(environment_file)
    env[XML_URL_VAR] = xml_url
    env[RUN_ID_VAR] = run_id
    env[SCENARIO_VAR] = scenario
    env[SHAPE_VAR] = shape
    if rest_url:
        env[REST_URL_VAR] = rest_url
    if rest_token:
        env[REST_TOKEN_VAR] = rest_token
    if budget_file is not None:
        env[BUDGET_FILE_VAR] = str(budget_file)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
