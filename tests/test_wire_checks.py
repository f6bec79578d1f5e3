"""The checks on every exchange (docs/checks.md): each judge on answers that keep and break its rule, the
answers it must not misjudge (refusals, non-envelopes, no answer), the client failing the exchange with
the check's name, the rule and the masked evidence, ``checks.off`` in the environment file, the counts in
the run's report, ``webex-harness checks`` — and whole runs against a site that breaks a rule.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.child_process import HARNESS_CLI as _CLI
from tests.standin import make_stand_in
from webex_harness.client.checker import Checker as BareChecker
from webex_harness.client.checker import CheckFailed, load_counts, write_counts
from webex_harness.client.rest_client import RestResponse
from webex_harness.client.xml_checks import NOT_APPLICABLE, XML_JUDGES
from webex_harness.client.xml_client import XmlClient
from webex_harness.emulator.server import RunningEmulator
from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.loader import load_environment
from webex_harness.plugin.check_facts import catalogue_facts
from webex_harness.runs.checks_command import check_lines, check_list
from webex_harness.runs.html_report import render_html
from webex_harness.runs.markdown_report import render_markdown
from webex_harness.webex.envelope import Security, parse_response
from webex_harness.webex.wire_checks import CHECK_NAMES

ROOT = Path(__file__).resolve().parent.parent
SERV = "http://www.webex.com/schemas/2002/06/service"
_DECLS = f'xmlns:serv="{SERV}" xmlns:com="http://www.webex.com/schemas/2002/06/common"' + "".join(
    f' xmlns:{p}="http://www.webex.com/schemas/2002/06/service/{u}"'
    for p, u in (
        ("meet", "meeting"),
        ("att", "attendee"),
        ("use", "user"),
        ("ep", "ep"),
        ("site", "site"),
        ("history", "history"),
        ("event", "event"),
        ("train", "trainingsession"),
    )
)
SUCCESS = (
    f"<serv:message {_DECLS}><serv:header><serv:response><serv:result>SUCCESS</serv:result>"
    "<serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header><serv:body>"
    '<serv:bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeetingResponse" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{body}</serv:bodyContent></serv:body></serv:message>'
)
FAILURE = (
    f"<serv:message {_DECLS}><serv:header><serv:response><serv:result>FAILURE</serv:result>"
    "<serv:reason>Corresponding Meeting not found</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
    "<serv:exceptionID>{eid}</serv:exceptionID></serv:response></serv:header><serv:body>"
    "<serv:bodyContent/></serv:body></serv:message>"
)
XML_TYPE = "text/xml;charset=UTF-8"
IN_ORDER = "<meet:accessControl><meet:listToPublic>false</meet:listToPublic></meet:accessControl>" + (
    "<meet:metaData><meet:confName>x</meet:confName></meet:metaData>"
)
OUT_OF_ORDER = "<meet:metaData><meet:confName>x</meet:confName></meet:metaData>" + (
    "<meet:accessControl><meet:listToPublic>false</meet:listToPublic></meet:accessControl>"
)


def judge(
    check: str, raw: str | bytes, status: int = 200, ctype: str | None = XML_TYPE, api: str = "GetMeeting"
) -> Any:
    data = raw.encode() if isinstance(raw, str) else raw
    return XML_JUDGES[check](catalogue_facts(), api, parse_response(data, status, 0.0, ctype))


def Checker(**options: Any) -> BareChecker:
    return BareChecker(facts=catalogue_facts(), **options)


# ---------------------------------------------------------------- the XML judges


def test_a_documented_success_and_failure_keep_every_xml_rule() -> None:
    for check in XML_JUDGES:
        for raw in (SUCCESS.format(body=IN_ORDER), FAILURE.format(eid="060001")):
            assert judge(check, raw) in (None, NOT_APPLICABLE), check


@pytest.mark.parametrize(
    ("check", "raw", "status", "ctype", "said"),
    [
        ("xml-status-code", FAILURE.format(eid="060001"), 500, XML_TYPE, "FAILURE envelope came with HTTP 500"),
        ("xml-status-code", "oops", 502, "text/html", "HTTP 502"),
        ("xml-content-type", SUCCESS.format(body=""), 200, "application/json", "application/json"),
        ("xml-content-type", SUCCESS.format(body=""), 200, "text/xml", "text/xml"),
        ("xml-envelope-shape", "<html>busy</html>", 200, "text/html", "not a Webex envelope"),
        (
            "xml-envelope-shape",
            SUCCESS.format(body="").replace(
                "<serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus>",
                "<serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:result>SUCCESS</serv:result>",
            ),
            200,
            XML_TYPE,
            "documented order",
        ),
        (
            "xml-envelope-shape",
            SUCCESS.format(body="").replace(' xmlns:train="', ' xmlns:tr="'),
            200,
            XML_TYPE,
            "train",
        ),
        ("xml-exception-id", FAILURE.format(eid="60001"), 200, XML_TYPE, "not six digits"),
        ("xml-exception-id", FAILURE.format(eid="123456"), 200, XML_TYPE, "not in the exception table"),
        (
            "xml-failure-empty-body",
            FAILURE.format(eid="060001").replace("<serv:bodyContent/>", "<serv:bodyContent><x/></serv:bodyContent>"),
            200,
            XML_TYPE,
            "non-empty bodyContent",
        ),
        ("xml-response-elements", SUCCESS.format(body=OUT_OF_ORDER), 200, XML_TYPE, "out of order"),
    ],
)
def test_an_xml_answer_breaking_a_rule_is_named_by_its_check(
    check: str, raw: str, status: int, ctype: str, said: str
) -> None:
    verdict = judge(check, raw, status, ctype)
    assert isinstance(verdict, str) and said in verdict, verdict


@pytest.mark.parametrize("status", [403, 405, 413, 503])
def test_a_documented_refusal_before_processing_is_no_status_problem(status: int) -> None:
    """The 413 and 405 the harness provokes on purpose come as FAILURE envelopes; the 403 usage limit and
    a busy site's 503 as plain text: none is a broken rule, nor judged as a 200 envelope."""
    for raw, ctype in ((FAILURE.format(eid="999999"), XML_TYPE), ("Forbidden", "text/plain")):
        assert judge("xml-status-code", raw, status, ctype) is None
        assert judge("xml-envelope-shape", raw, status, ctype) is NOT_APPLICABLE
    assert judge("xml-content-type", "Forbidden", status, "text/plain") is NOT_APPLICABLE


def test_no_answer_and_unknown_apis_are_not_judged() -> None:
    assert all(judge(check, b"", 0, None) is NOT_APPLICABLE for check in XML_JUDGES)
    out_of_order = SUCCESS.format(body=OUT_OF_ORDER)
    assert judge("xml-response-elements", out_of_order, api="multiple bodyContents") is NOT_APPLICABLE


# ---------------------------------------------------------------- the REST judges


def _rest(status: int, body: Any, ctype: str = "application/json") -> RestResponse:
    raw = b"" if body is None else json.dumps(body).encode()
    return RestResponse(status, body, {"content-type": ctype}, 0.0, None, raw)


MEETING = {"id": "a" * 32, "meetingNumber": "123456789", "title": "t", "state": "active", "reminderTime": 10}


def test_documented_rest_answers_keep_every_rest_rule() -> None:
    checker = Checker()
    checker.rest("POST", "POST /v1/meetings", _rest(200, MEETING))
    checker.rest("GET", "GET /v1/meetings", _rest(200, {"items": [MEETING]}))
    checker.rest("DELETE", "DELETE /v1/meetings/{id}", _rest(204, None, ""))
    checker.rest("GET", "GET /v1/meetings/{id}", _rest(404, {"message": "m", "errors": [], "trackingId": "t"}))
    checker.rest("GET", "GET /v1/meetings", _rest(429, {"message": "a gateway's words"}))  # waited out, sent again
    assert checker.failed == dict.fromkeys(CHECK_NAMES, 0)
    assert checker.judged["rest-status-code"] == 5 and checker.judged["rest-content-type"] == 4
    assert checker.judged["rest-response-fields"] == 3


@pytest.mark.parametrize(
    ("method", "api", "answer", "check", "said"),
    [
        ("POST", "POST /v1/meetings", _rest(201, MEETING), "rest-status-code", "HTTP 201, documented 200"),
        ("DELETE", "DELETE /v1/meetings/{id}", _rest(200, MEETING), "rest-status-code", "documented 204"),
        (
            "GET",
            "GET /v1/meetings",
            _rest(500, {"message": "x", "errors": [], "trackingId": "t"}),
            "rest-status-code",
            "server error",
        ),
        ("GET", "GET /v1/meetings/{id}", _rest(200, MEETING, "text/plain"), "rest-content-type", "text/plain"),
        (
            "GET",
            "GET /v1/meetings/{id}",
            _rest(200, {**MEETING, "meetingNumber": 1}),
            "rest-response-fields",
            "meetingNumber",
        ),
        (
            "GET",
            "GET /v1/meetings/{id}",
            _rest(200, {**MEETING, "reminderTime": True}),
            "rest-response-fields",
            "reminderTime",
        ),
        ("GET", "GET /v1/meetings/{id}", _rest(200, {**MEETING, "state": "asleep"}), "rest-response-fields", "asleep"),
        ("GET", "GET /v1/meetings", _rest(200, {"items": {}}), "rest-response-fields", "items"),
        ("GET", "GET /v1/meetings/{id}", _rest(404, {"message": 1}), "rest-response-fields", "message"),
    ],
)
def test_a_rest_answer_breaking_a_rule_fails_its_check(
    method: str, api: str, answer: RestResponse, check: str, said: str
) -> None:
    with pytest.raises(CheckFailed) as failed:
        Checker().rest(method, api, answer)
    assert failed.value.check == check and said in str(failed.value), str(failed.value)
    assert api in str(failed.value)


# ---------------------------------------------------------------- the checker and the clients


def test_a_failed_check_names_the_check_rule_api_and_masked_evidence() -> None:
    secret = "s3cr3t-pass"
    raw = FAILURE.format(eid="060001").replace("Corresponding Meeting not found", f"bad {secret}")
    checker = Checker(mask=lambda text: text.replace(secret, "****"))
    with pytest.raises(CheckFailed) as failed:
        checker.xml("GetMeeting", parse_response(raw.encode(), 500, 0.0, XML_TYPE))
    text = str(failed.value)
    assert text.startswith("check xml-status-code failed for GetMeeting: a FAILURE envelope came with HTTP 500")
    assert "rule: a SUCCESS or FAILURE envelope comes with HTTP 200" in text and "docs/wire.md X1" in text
    assert "HTTP 500, Content-Type text/xml;charset=UTF-8" in text
    assert secret not in text and "****" in text
    assert checker.failed["xml-status-code"] == 1 and checker.judged["xml-status-code"] == 1


def test_a_check_switched_off_judges_nothing() -> None:
    checker = Checker(off=frozenset({"xml-status-code"}))
    checker.xml("GetMeeting", parse_response(FAILURE.format(eid="060001").encode(), 500, 0.0, XML_TYPE))
    assert checker.judged["xml-status-code"] == 0 and checker.judged["xml-exception-id"] == 1


def test_the_xml_client_records_the_exchange_then_fails_it() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raw = FAILURE.format(eid="060001").encode()
        return httpx.Response(200, content=raw, headers={"content-type": "application/json"})

    seen: list[str] = []
    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = XmlClient(
        "http://127.0.0.1:9/WBXService/XMLService",
        Security("site", "host", "pw"),
        http=http,
        checks=Checker(),
        on_exchange=lambda e: seen.append(e.api),
    )
    with pytest.raises(CheckFailed, match="check xml-content-type failed for GetMeeting"):
        client.call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert seen == ["GetMeeting"], "the exchange is the failed test's evidence"
    assert client.with_security(Security("site", "other", "pw")).checks is client.checks


# ---------------------------------------------------------------- the environment file and the report


ENV = "target: emulator\nsite_name: x\ncredentials: {webExID: a, password: b}\n"


def test_the_environment_file_switches_checks_off(tmp_path: Path) -> None:
    path = tmp_path / "env.yaml"
    path.write_text(ENV + "checks:\n  off: [xml-content-type, rest-status-code]\n")
    assert load_environment(path).checks.off == {"xml-content-type", "rest-status-code"}
    path.write_text(ENV)
    assert load_environment(path).checks.off == frozenset()


@pytest.mark.parametrize(
    ("off", "said"),
    [
        ("[xml-content-typ]", "checks.off[0]: unknown name 'xml-content-typ' (did you mean 'xml-content-type'"),
        ("xml-content-type", "checks.off: expected a list of names"),
        ("[xml-content-type, xml-content-type]", "checks.off[1]: 'xml-content-type' is named twice"),
    ],
)
def test_a_bad_checks_off_is_one_line_naming_it(tmp_path: Path, off: str, said: str) -> None:
    path = tmp_path / "env.yaml"
    path.write_text(ENV + f"checks:\n  off: {off}\n")
    with pytest.raises(EnvironmentFileError) as error:
        load_environment(path)
    assert said in str(error.value) and len(str(error.value).splitlines()) == 1, str(error.value)


def test_the_report_shows_each_check_on_or_switched_off_with_its_counts(tmp_path: Path) -> None:
    for worker, off in (("gw0", frozenset({"xml-content-type"})), ("gw1", frozenset({"xml-content-type"}))):
        checker = Checker(off=off)
        checker.xml("GetMeeting", parse_response(SUCCESS.format(body=IN_ORDER).encode(), 200, 0.0, XML_TYPE))
        write_counts(tmp_path, worker, checker)
    rows = load_counts(tmp_path)
    assert rows is not None and [r["name"] for r in rows] == list(CHECK_NAMES)
    by_name = {r["name"]: r for r in rows}
    assert by_name["xml-content-type"]["on"] is False and by_name["xml-content-type"]["judged"] == 0
    assert by_name["xml-status-code"] == {**by_name["xml-status-code"], "on": True, "judged": 2, "failed": 0}
    summary = {"checks": rows}
    markdown = render_markdown(summary)
    assert "## Checks on every exchange" in markdown
    assert "| `xml-content-type` | switched off by the environment file | 0 | 0 |" in markdown
    assert "| `xml-status-code` | on | 2 | 0 |" in markdown
    assert "switched off by the environment file" in render_html(summary)
    assert load_counts(tmp_path / "none") is None


def test_the_checks_command_lists_every_check_with_its_rule_and_source(tmp_path: Path) -> None:
    rows = check_list(frozenset({"xml-exception-id"}))
    assert [r["name"] for r in rows] == list(CHECK_NAMES)
    lines = check_lines(rows)
    assert any(line.startswith("xml-exception-id") and "switched off by the environment file" in line for line in lines)
    assert lines[-1] == f"{len(CHECK_NAMES) - 1} of {len(CHECK_NAMES)} checks on"
    path = tmp_path / "env.yaml"
    path.write_text(ENV + "checks: {off: [rest-content-type]}\n")
    done = subprocess.run(
        [sys.executable, "-m", "webex_harness.runs.cli", "checks", "--json", "--env", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    listed = {r["name"]: r for r in json.loads(done.stdout)}
    assert set(listed) == set(CHECK_NAMES) and listed["rest-content-type"]["on"] is False
    assert all(r["rule"] and r["source"] for r in listed.values())


# ---------------------------------------------------------------- whole runs against a site breaking a rule


def _site_run(
    emulator: RunningEmulator, folder: Path, fault: str, behaviour: str, extra_yaml: str = ""
) -> dict[str, Any]:
    """A ``contracts`` run of ``behaviour``'s tests against a stand-in site that has ``fault`` on."""
    stand_in = make_stand_in(emulator.base_url, folder, extra_yaml=extra_yaml, roles=False)
    switched = httpx.post(f"{emulator.base_url}/_emulator/sites/{stand_in.site}/faults", json={"enable": [fault]})
    switched.raise_for_status()
    reports = folder / "reports"
    command = [sys.executable, "-c", _CLI, str(reports), "contracts", "--env", str(stand_in.env_file)]
    done = subprocess.run(
        [*command, "--behaviour", behaviour, "--workers", "1"],
        cwd=ROOT,
        env={**os.environ, **stand_in.variables},
        capture_output=True,
        text=True,
        timeout=600,
    )
    [run_dir] = [p for p in reports.iterdir() if not p.name.startswith(".")]
    return {"done": done, "summary": json.loads((run_dir / "summary.json").read_text()), "run_dir": run_dir}


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("xml-status-code", "check xml-status-code failed"),
        ("xml-content-type", "check xml-content-type failed"),
    ],
)
def test_a_site_breaking_a_wire_rule_fails_the_run_naming_the_check(
    emulator: RunningEmulator, tmp_path: Path, fault: str, said: str
) -> None:
    run = _site_run(emulator, tmp_path, fault, fault)
    assert run["done"].returncode == 1, run["done"].stdout[-2000:] + run["done"].stderr[-2000:]
    failed = [t for t in run["summary"]["behaviours"] if t["id"] == fault]
    assert failed and failed[0]["status"] == "failed"
    assert said in (run["run_dir"] / "summary.md").read_text()
    checks = {r["name"]: r for r in run["summary"]["checks"]}
    assert checks[fault]["failed"] >= 1


def test_a_check_switched_off_does_not_fail_the_run_and_the_summary_says_so(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """A site labelling its XML answers application/json, the check switched off: the run passes."""
    run = _site_run(emulator, tmp_path, "xml-content-type", "xml-status-code", "checks:\n  off: [xml-content-type]\n")
    assert run["done"].returncode == 0, run["done"].stdout[-2000:] + run["done"].stderr[-2000:]
    checks = {r["name"]: r for r in run["summary"]["checks"]}
    assert checks["xml-content-type"]["on"] is False and checks["xml-content-type"]["judged"] == 0
    assert checks["xml-status-code"]["on"] is True and checks["xml-status-code"]["judged"] > 0
    markdown = (run["run_dir"] / "summary.md").read_text()
    assert "| `xml-content-type` | switched off by the environment file |" in markdown
