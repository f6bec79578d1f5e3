"""A wrong password in the environment file is sent once per process, not once per test: each declared
account signs in once before the tests (and the host once before a load), and an account the site
refuses is sent nothing more — its tests are skipped ``safety stop: sign-in refused: …``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.child_process import HARNESS_CLI as CLI
from tests.standin import StandIn, make_stand_in
from webex_harness.client.signin_guard import SignInGuard, SignInRefused, check_sign_ins, shared_file
from webex_harness.client.xml_client import XmlClient
from webex_harness.emulator.server import RunningEmulator, running
from webex_harness.webex.envelope import Security

ROOT = Path(__file__).resolve().parent.parent
_FAILURE = (
    '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"><serv:header><serv:response>'
    "<serv:result>FAILURE</serv:result><serv:reason>{reason}</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
    "<serv:exceptionID>{code}</serv:exceptionID></serv:response></serv:header><serv:body><serv:bodyContent/>"
    "</serv:body></serv:message>"
)
_SUCCESS = (
    '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
    'xmlns:use="http://www.webex.com/schemas/2002/06/service/user"><serv:header><serv:response>'
    "<serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header>"
    '<serv:body><serv:bodyContent xsi:type="use:authenticateUserResponse" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><use:sessionTicket>t</use:sessionTicket>'
    "</serv:bodyContent></serv:body></serv:message>"
)


class _Site(httpx.BaseTransport):
    """Refuses qa-host (030002) and qa-admin (030001), answers everyone else SUCCESS; counts what arrives."""

    def __init__(self) -> None:
        self.seen: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.seen.append(body)
        if b"<webExID>qa-host</webExID><password>typo</password>" in body:
            text = _FAILURE.format(code="030002", reason="Incorrect user or password")
        elif b"<webExID>qa-admin</webExID>" in body:
            text = _FAILURE.format(code="030001", reason="Corresponding User not found")
        else:
            text = _SUCCESS
        return httpx.Response(200, text=text, headers={"Content-Type": "text/xml"})


def test_a_refused_account_is_checked_once_and_then_sent_nothing_while_the_others_are() -> None:
    site = _Site()
    guard = SignInGuard()
    url = "http://127.0.0.1:1/WBXService/XMLService"
    host = Security("acme", "qa-host", "typo")
    invitee = Security("acme", "qa-invitee", "fine")
    accounts = {"host": host, "admin": Security("acme", "qa-admin", "x"), "invitee": invitee}
    with guard.install(httpx.Client(transport=site)) as http:
        refusals = check_sign_ins(url, accounts, {"http": http}, guard, "acme.yaml")
        assert sorted(refusals) == ["admin", "host"]
        assert refusals["host"].startswith(
            "sign-in refused: the site answered 030002 'Incorrect user or password' to host 'qa-host' — check "
            "credentials.webExID and credentials.password in acme.yaml"
        )
        assert "users.admin.password" in refusals["admin"]
        assert len(site.seen) == 3  # one AuthenticateUser each
        with pytest.raises(SignInRefused, match="sign-in refused"):
            XmlClient(url, host, http=http).call("meeting", "GetMeeting", {"meetingKey": "1"})
        assert len(site.seen) == 3, "nothing more was sent with the refused credentials"
        assert XmlClient(url, invitee, http=http).call("user", "GetMe", {}).ok
        # the host's webExID with another password (a test's deliberate wrong password) is not the declared account
        XmlClient(url, Security("acme", "QA-HOST", "another"), http=http).call("user", "GetMe", {})
        assert len(site.seen) == 5


def test_the_processes_of_a_run_check_each_account_once_and_share_the_verdict_without_a_password(
    tmp_path: Path,
) -> None:
    site = _Site()
    url = "http://127.0.0.1:1/WBXService/XMLService"
    accounts = {"host": Security("acme", "qa-host", "typo"), "invitee": Security("acme", "qa-invitee", "fine")}
    shared = shared_file(tmp_path / "run", "20261204-170000-abcd")
    first, second = SignInGuard(), SignInGuard()
    with httpx.Client(transport=site) as http:
        assert sorted(check_sign_ins(url, accounts, {"http": http}, first, "acme.yaml", shared)) == ["host"]
        assert len(site.seen) == 2
        again = check_sign_ins(url, accounts, {"http": http}, second, "acme.yaml", shared)  # another worker
        assert sorted(again) == ["host"] and len(site.seen) == 2, "the second process sent nothing"
    assert second.refused == first.refused
    text = shared.read_text()
    assert "typo" not in text and "fine" not in text and '"invitee:qa-invitee": "ok"' in text
    # a later run in the same folder (its password corrected, say) does not take this run's verdict
    assert shared_file(tmp_path / "run", "20261204-180000-beef") != shared


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running() as emu:
        yield emu


def _xml_requests(stand_in: StandIn) -> int:
    return int(stand_in.state()["requests"]["xml"])


def _harness(stand_in: StandIn, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    host_password = next(k for k in stand_in.variables if k.endswith("_HOST_PASSWORD"))
    return subprocess.run(
        [sys.executable, "-c", CLI, str(tmp_path / "reports"), *args, "--env", str(stand_in.env_file)],
        cwd=ROOT,
        env={**os.environ, **stand_in.variables, host_password: "Typ0-in-the-file"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_contract_run_with_a_wrong_host_password_signs_in_once_and_stops_with_one_line(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    stand_in = make_stand_in(emulator.base_url, tmp_path, roles=False)
    before = _xml_requests(stand_in)
    done = _harness(stand_in, tmp_path, "contracts", "--workers", "2", "--behaviour", "email-lowercase")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("webex-harness: safety stop: "), done.stderr[-2000:]
    assert "sign-in refused: the site answered 030002 'Incorrect user or password' to host 'qa-host'" in last
    assert _xml_requests(stand_in) - before == 1, "one sign-in for the run (two workers), then nothing"


def test_a_load_with_a_wrong_host_password_signs_in_once_and_starts_no_locust(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    stand_in = make_stand_in(emulator.base_url, tmp_path, roles=False)
    before = _xml_requests(stand_in)
    done = _harness(stand_in, tmp_path, "load", "--run-time", "3s", "--users", "1", "--scenario", "calls")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("webex-harness: load run failed: sign-in refused: the site answered 030002"), last
    assert _xml_requests(stand_in) - before == 1
    assert not list((tmp_path / "reports").glob("*/locust.log")), "locust was never started"
