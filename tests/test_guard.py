"""Guards before traffic: every URL is loopback or the environment's own XML/REST origin, checked
before any connection; a refused one is exit 2 with one line."""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import webex_harness.runs.cli
import webex_harness.runs.run_command
from webex_harness.environment.guard import GuardError, check_environment, check_url
from webex_harness.environment.loader import load_environment
from webex_harness.workspace.run_folder import Run

ROOT = Path(__file__).resolve().parent.parent
#: an address no packet may be sent to in these tests (TEST-NET-1 style, non-routable here)
FOREIGN = "http://10.255.255.1:8080"

SITE = """target: site
xml_url: https://acme.webex.com/WBXService/XMLService
rest_url: https://webexapis.com/v1
site_name: acme
credentials: {webExID: host, password: "${WXH_GUARD_PASSWORD:-x}", rest_token: "${WXH_GUARD_TOKEN:-x}"}
"""


@pytest.fixture
def site_env(tmp_path: Path) -> Any:
    path = tmp_path / "site.yaml"
    path.write_text(SITE)
    return load_environment(path)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.3.4.5/x",
        "http://localhost:1",
        "http://[::1]:9000/v1",
        "https://acme.webex.com/WBXService/XMLService",
        "https://ACME.webex.com:443/other",
        "https://webexapis.com/v1/meetings",
    ],
)
def test_loopback_and_the_environments_own_origins_pass(site_env: Any, url: str) -> None:
    assert check_url(url, site_env) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.webex.com/WBXService/XMLService",
        "https://acme.webex.com:8443/",
        "https://evil.example.com/v1",
        FOREIGN,
        "https://127.0.0.1.example.com/",
        "ftp://127.0.0.1/",
        "127.0.0.1:8080",
        "http://127.0.0.1:notaport/",
    ],
)
def test_any_other_url_is_refused_in_one_line(site_env: Any, url: str) -> None:
    with pytest.raises(GuardError) as refused:
        check_url(url, site_env, what="--emulator-url")
    assert "\n" not in str(refused.value) and "--emulator-url" in str(refused.value)


def test_an_emulator_environment_allows_loopback_only() -> None:
    env = load_environment(ROOT / "environments" / "emulator.yaml")  # xml_url/rest_url: auto
    check_url("http://127.0.0.1:5000", env)
    with pytest.raises(GuardError, match="only loopback may be targeted"):
        check_url("https://acme.webex.com", env)


def test_a_stand_in_sites_own_loopback_urls_pass(tmp_path: Path) -> None:
    path = tmp_path / "standin.yaml"
    path.write_text(
        SITE.replace("https://acme.webex.com", "http://127.0.0.1:41234").replace(
            "https://webexapis.com", "http://127.0.0.1:41234"
        )
    )
    env = load_environment(path)
    check_environment(env)
    check_environment(env, "http://127.0.0.1:41234")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every TCP connection or HTTP request attempted in this process, refused and recorded."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args[:2])
        raise AssertionError("connected before the guard refused the URL")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(httpx.Client, "send", refuse)
    return attempts


@pytest.mark.parametrize(
    "command",
    [
        ["contracts"],
        ["run", "--run-time", "2s"],
        ["load", "--run-time", "2s"],
        ["cleanup"],
    ],
)
def test_a_foreign_emulator_url_is_exit_2_before_any_connection(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    connections: list[Any],
    command: list[str],
) -> None:
    monkeypatch.setattr(webex_harness.runs.run_command, "Run", functools.partial(Run, root=tmp_path / "reports"))
    extra = ["--reports", str(tmp_path / "reports")] if command == ["cleanup"] else []
    assert webex_harness.runs.cli.main([*command, "--emulator-url", FOREIGN, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "refusing to target --emulator-url" in err and FOREIGN in err, err
    assert connections == [], "no connection may be attempted"
    assert not (tmp_path / "reports").exists(), "no run may start"


def test_a_site_environment_refuses_an_emulator_url_of_another_host(
    site_env: Any,
    capsys: pytest.CaptureFixture[str],
    connections: list[Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webex_harness.runs.run_command, "Run", functools.partial(Run, root=tmp_path / "reports"))
    assert (
        webex_harness.runs.cli.main(
            ["contracts", "--env", str(site_env.path), "--emulator-url", "https://acme.webex.co"]
        )
        == 2
    )
    assert "refusing to target --emulator-url 'https://acme.webex.co'" in capsys.readouterr().err
    assert connections == []


def test_a_typo_in_emulator_url_ends_at_once_in_a_real_process() -> None:
    """The CLI as a user runs it: a non-routable address would hang a connection; the guard answers first."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "webex_harness.runs.cli", "contracts", "--emulator-url", FOREIGN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"webex-harness: refusing to target --emulator-url '{FOREIGN}': only loopback may be targeted "
        "(nothing was sent)"
    ]
    assert "contract suites" not in proc.stdout, f"nothing may start ({time.monotonic() - started:.1f}s)"


def test_plain_pytest_refuses_a_foreign_emulator_url_before_any_connection(tmp_path: Path) -> None:
    """``pytest contracts --emulator-url`` run by hand passes the same guard: a usage error, one line."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "webex_harness.plugin.pytest_plugin",  # entry points are off (below)
            "-q",
            "--collect-only",
            "contracts/test_general.py",
            "--emulator-url",
            "http://10.255.255.1:9",
            "--run-dir",
            str(tmp_path / "run"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert done.returncode == 4, done.stdout + done.stderr
    assert "--emulator-url" in done.stderr and "10.255.255.1" in done.stderr, done.stderr
