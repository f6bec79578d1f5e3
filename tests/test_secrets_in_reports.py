"""No password, session ticket, access token or JWT of a run reaches any file of its report folder.

One short ``webex-harness run`` (contracts + load) with distinctive credentials, plus a probe test
that signs in for a session ticket, uses the site's REST token and a JWT, logs and prints them and
then fails with all of them (and a whole envelope) in its assertion message. Every file of the
run's folder — junit.xml, allure-results/*, summary.*, results, ledger, locust files, emulator.log —
is then searched for each value. And one pytest session showing that a secret the run learns from one
exchange (a meeting's guest token) is masked from then on in the ledger, the failure report and the
records of every client, by the run's one secret set.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from html import escape
from pathlib import Path

from tests.child_process import child_env, pytest_command

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Sup3rSecret-xyz"
REST_TOKEN = "R3stT0ken-distinct-4711"


def _jwt() -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'sub': 'host', 'nonce': 'wxh-probe'})}.c2lnbmF0dXJlLXByb2Jl"


_PROBE = """
import json, logging, os
import pytest
from webex_harness.plugin.rest_meetings import rest_client
from webex_harness.webex.envelope import Security

@pytest.mark.behaviour("email-lowercase")
def test_secrets_everywhere(site, xml):
    host = site.security("host")
    answer = xml.call("user", "AuthenticateUser", {"webExID": host.webex_id, "password": host.password})
    ticket = answer.text("use:sessionTicket")
    assert ticket, answer.describe()
    jwt = os.environ["WXH_PROBE_JWT"]
    with_ticket = xml.with_security(Security(site.name, host.webex_id, session_ticket=ticket))
    me = with_ticket.call("user", "GetUser", {"webExId": host.webex_id}, headers={"JWTToken": jwt})
    rest = rest_client(site)
    rest.list_meetings(max=1)
    with open(os.environ["WXH_PROBE_OUT"], "w") as out:
        json.dump({"ticket": ticket, "password": host.password, "token": site.rest_token, "jwt": jwt}, out)
    logging.getLogger("probe").warning("ticket %s password %s token %s jwt %s", ticket, host.password,
                                       site.rest_token, jwt)
    print("stdout:", ticket, host.password, site.rest_token, jwt, os.environ["WEBEX_PASSWORD"])
    secret_env = os.environ["WEBEX_PASSWORD"]
    assert ticket == "x", f"ticket {ticket} password {host.password} token {site.rest_token} jwt {jwt} " \\
                          f"env {secret_env} envelope {me.raw!r}"
"""


def test_a_whole_run_leaves_no_credential_in_any_report_file(tmp_path: Path) -> None:
    probe = tmp_path / "probe" / "test_wxh_secrets_probe.py"
    probe.parent.mkdir()
    probe.write_text(_PROBE)
    out = tmp_path / "probe.json"
    jwt = _jwt()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "webex_harness.runs.cli",
            "run",
            "--behaviour",
            "email-lowercase",
            "--behaviour",
            "user-card-auth",
            "--run-time",
            "2s",
            "--users",
            "1",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env=child_env(
            WEBEX_PASSWORD=PASSWORD,
            WEBEX_REST_TOKEN=REST_TOKEN,
            WXH_PROBE_OUT=str(out),
            WXH_PROBE_JWT=jwt,
            PYTEST_ADDOPTS=f"-c {ROOT / 'pyproject.toml'} {probe}",
        ),
    )
    summary_line = [x for x in result.stdout.splitlines() if x.startswith("summary: ")]
    assert summary_line, result.stdout[-3000:] + result.stderr[-3000:]
    run_dir = Path(summary_line[-1].removeprefix("summary: ")).parent
    assert result.returncode == 1  # the probe fails on purpose

    probe_values = json.loads(out.read_text())
    secrets = {"env password": PASSWORD, "env REST token": REST_TOKEN, **probe_values}
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {
        "junit.xml",
        "summary.json",
        "summary.md",
        "summary.html",
        "load.json",
        "locust.log",
        "emulator.log",
    } <= names, names
    assert any(p.parent.name == "allure-results" for p in files)
    assert any(n.startswith("ledger-") for n in names)
    leaks = []
    for path in files:
        data = path.read_bytes().decode("utf-8", "replace")
        for label, value in secrets.items():
            for form in {value, escape(value), json.dumps(value)[1:-1]}:
                if form in data:
                    leaks.append(f"{label} in {path.relative_to(run_dir)}")
    assert not leaks, leaks

    # the failure itself is reported, masked, where people look for it
    junit = (run_dir / "junit.xml").read_text()
    assert "test_secrets_everywhere" in junit and "ticket ********" in junit
    assert "password ******** token ******** jwt ********" in junit
    allure_texts = "".join(p.read_text(errors="replace") for p in (run_dir / "allure-results").iterdir())
    assert "ticket ********" in allure_texts and "<sessionTicket>********</sessionTicket>" in allure_texts
    # ... by the masking at the source: the last-resort scrub of the files found nothing to do
    assert "masked leftover credentials" not in result.stderr, result.stderr[-2000:]


_LEARNT = """
import json, os
from webex_harness.plugin.rest_meetings import rest_client
from webex_harness.plugin.xml_meetings import meeting_body

def test_a_secret_learnt_from_one_exchange(site, xml, run_name):
    guest = xml.call("meeting", "CreateMeeting", meeting_body(run_name("m"))).expect_success().text("meet:guestToken")
    assert guest
    xml.call("meeting", "CreateMeeting", meeting_body(run_name(f"m-{guest}"))).expect_success()
    rest = rest_client(site)
    made = rest.create({"title": run_name("r"), "agenda": f"guest {guest}", "start": "2031-01-01T10:00:00Z",
                        "end": "2031-01-01T11:00:00Z"})
    assert made.status == 200, made.describe()
    with open(os.environ["WXH_PROBE_OUT"], "w") as out:
        json.dump({"guest": guest, "logs": [xml.last.request, xml.last.response, rest.last.request,
                                            rest.last.response]}, out)
    assert guest == "x", f"guest token {guest} seen"
"""


def test_a_secret_learnt_from_one_exchange_is_masked_in_the_ledger_the_report_and_the_clients_log(
    tmp_path: Path,
) -> None:
    """A meeting's guest token, handed out by one answer and unknown before, is masked from then on
    wherever the run writes it: the ledger line of a meeting named after it, the test's failure
    report (terminal, JUnit, results) and the records of another client — by the one secret set,
    not by the last scrub of the report files."""
    probe = tmp_path / "probe" / "test_wxh_learnt_probe.py"
    probe.parent.mkdir()
    probe.write_text(_LEARNT)
    out = tmp_path / "probe.json"
    run_dir = tmp_path / "run"
    result = subprocess.run(
        [
            *pytest_command(str(probe)),
            "-p",
            "no:xdist",
            "--run-dir",
            str(run_dir),
            "--junitxml",
            str(run_dir / "junit.xml"),
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(WXH_PROBE_OUT=str(out)),
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]  # the probe fails on purpose
    probe_values = json.loads(out.read_text())
    guest = probe_values["guest"]
    assert len(guest) >= 16  # the parsed answer gives the test the token itself

    ledgers = list(run_dir.glob("ledger-*.jsonl"))
    assert len(ledgers) == 1
    ledger = ledgers[0].read_text()
    names = [json.loads(line).get("name") or "" for line in ledger.splitlines()]
    assert any(n.endswith("-m-********") for n in names), names
    assert guest not in ledger

    junit = (run_dir / "junit.xml").read_text()
    assert "guest token ******** seen" in junit and guest not in junit
    assert "guest token ******** seen" in result.stdout and guest not in result.stdout + result.stderr
    results = "".join(p.read_text() for p in run_dir.glob("results-*.json"))
    assert "guest ********" in results and guest not in results  # the failure's evidence

    xml_request, _, rest_request, _ = probe_values["logs"]
    assert "-m-********</confName>" in xml_request and '"agenda": "guest ********"' in rest_request
    for log in probe_values["logs"]:
        assert guest not in log
    assert "masked leftover credentials" not in result.stderr, result.stderr[-2000:]
