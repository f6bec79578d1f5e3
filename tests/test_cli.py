"""The command line: help, one-line errors for bad environment files, and an end-to-end run."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("emulator", "run", "contracts", "load", "selfcheck", "apis", "generate"):
        assert command in out


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "env.yaml"
    path.write_text(text)
    return path


SITE = """target: site
xml_url: http://127.0.0.1:{port}/WBXService/XMLService
rest_url: http://127.0.0.1:{port}/v1
site_name: acme
credentials:
  webExID: ${{WXH_TEST_USER:-host}}
  password: ${{WXH_TEST_PASSWORD{default}}}
"""


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SITE.format(port=1, default=""), "credentials.password: environment variable WXH_TEST_PASSWORD is not set"),
        (SITE.format(port=1, default=":-x") + "colour: blue\n", "colour: unknown key"),
        (SITE.format(port=1, default=":-x") + "budget:\n  max_requests: ten\n", "budget.max_requests"),
    ],
    ids=["missing-variable", "unknown-key", "wrong-type"],
)
def test_bad_environment_file_gives_one_line_naming_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    result = _cli("contracts", "--env", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_site_gives_one_line_naming_the_url(tmp_path: Path) -> None:
    path = _write(tmp_path, SITE.format(port=_closed_port(), default=":-x"))
    result = _cli("contracts", "--env", str(path), timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "xml_url" in lines[0] and "cannot reach" in lines[0], result.stderr


def test_run_writes_a_summary_with_the_behaviour_passed_and_load_results(tmp_path: Path) -> None:
    result = _cli("run", "--behaviour", "email-lowercase", "--run-time", "3s", "--users", "1", "--workers", "1")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary_line = [line for line in result.stdout.splitlines() if line.startswith("summary: ")][-1]
    summary_md = Path(summary_line.removeprefix("summary: "))
    summary = json.loads((summary_md.parent / "summary.json").read_text())
    status = {b["id"]: b["status"] for b in summary["behaviours"]}
    assert status["email-lowercase"] == "passed"
    assert summary["target"]["kind"] == "emulator"
    assert summary["load"] and summary["load"]["apis"]
    for name in ("junit.xml", "summary.md", "locust.html", "load.json"):
        assert (summary_md.parent / name).exists(), name
