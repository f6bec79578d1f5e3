"""The clean-up ledger: written before each create, read from the wire, cleaned up at the end of a
run, and by ``webex-harness cleanup`` after a run that was killed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.child_process import child_env, pytest_command
from webex_harness.client import exchange_reader
from webex_harness.client.cleaner import Cleaner
from webex_harness.client.journal import Ledger, fold, read_lines
from webex_harness.client.ledger_hooks import LedgerHooks
from webex_harness.client.naming import name_pattern, run_name
from webex_harness.client.rest_client import RestClient
from webex_harness.client.xml_client import ControlClient, XmlClient
from webex_harness.emulator.server import RunningEmulator, running, start_subprocess
from webex_harness.plugin.xml_meetings import meeting_body
from webex_harness.webex import envelope
from webex_harness.webex.envelope import RequestEnvelope, Security, XmlResponse, build_multi_request
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.run_folder import new_run_id

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with running() as emu:
        yield emu


@pytest.fixture
def site_info(emulator: RunningEmulator) -> dict[str, object]:
    with httpx.Client() as http:
        return ControlClient(emulator.base_url, http).create_site()


def _hooked(
    ledger: Ledger, emulator: RunningEmulator, info: dict[str, object], transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    token = str(info["rest_token"])
    hooks = LedgerHooks(
        ledger, rest_url=emulator.rest_url, site_for_token=lambda t: str(info["name"]) if t == token else None
    )
    return hooks.install(httpx.Client(timeout=10, transport=transport))


def _users(info: dict[str, object]) -> dict[str, Security]:
    return {
        u["webExID"]: Security(str(info["name"]), u["webExID"], u["password"])  # type: ignore[index]
        for u in info["users"]
    }  # type: ignore[attr-defined]


def test_intent_is_on_disk_before_the_create_leaves(
    tmp_path: Path, emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    path = tmp_path / "ledger-r.jsonl"
    ledger = Ledger("r", path)
    seen_at_send: list[list[dict[str, object]]] = []
    forward = httpx.HTTPTransport()

    class Spy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen_at_send.append(read_lines([path]))  # what the file holds as the request goes out
            return forward.handle_request(request)

        def close(self) -> None:
            forward.close()

    with _hooked(ledger, emulator, site_info, Spy()) as http:
        client = XmlClient(emulator.xml_url, _users(site_info)["host"], http=http)
        client.call("meeting", "CreateMeeting", meeting_body("ledger first")).expect_success()
    assert [r["event"] for r in seen_at_send[0]] == ["intent"]
    intent = seen_at_send[0][0]
    assert intent["kind"] == "meeting" and intent["name"] == "ledger first" and intent["delete_api"] == "DelMeeting"
    created = read_lines([path])[-1]
    assert created["event"] == "created" and created["ref"] == intent["ref"]
    assert set(created) >= {"kind", "id", "uuid", "site", "created_at", "run_id", "delete_api", "owner"}
    assert created["site"] == site_info["name"] and created["owner"] == "host" and created["run_id"] == "r"


def test_one_exchange_is_parsed_once_for_the_hooks_and_the_client(
    monkeypatch: pytest.MonkeyPatch, emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    """The hooks and the client share one parse of the request and one of the answer: the client
    returns the very object the hooks journalled the create from."""
    calls = {"request": 0, "answer": 0}
    seen: list[XmlResponse] = []

    def read_request(raw: bytes) -> RequestEnvelope | None:
        calls["request"] += 1
        return envelope.read_request(raw)

    def parse_response(
        raw: bytes, status: int = 200, elapsed: float = 0.0, content_type: str | None = None
    ) -> XmlResponse:
        calls["answer"] += 1
        seen.append(envelope.parse_response(raw, status, elapsed, content_type))
        return seen[-1]

    monkeypatch.setattr(exchange_reader, "read_request", read_request)
    monkeypatch.setattr(exchange_reader, "parse_response", parse_response)
    ledger = Ledger("r")
    with _hooked(ledger, emulator, site_info) as http:
        client = XmlClient(emulator.xml_url, _users(site_info)["host"], http=http)
        made = client.call("meeting", "CreateMeeting", meeting_body("parsed once")).expect_success()
    assert calls == {"request": 1, "answer": 1}
    assert len(seen) == 1 and seen[0] is made and made.elapsed > 0
    assert [o.id for o in ledger.state().outstanding()] == [made.text("meet:meetingkey")]


def test_the_wire_tells_creates_deletes_and_refusals_apart(
    emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    ledger = Ledger("r")
    users = _users(site_info)
    with _hooked(ledger, emulator, site_info) as http:
        host = XmlClient(emulator.xml_url, users["host"], http=http)
        kept = host.call("meeting", "CreateMeeting", meeting_body("kept")).expect_success()
        gone = host.call("meeting", "CreateMeeting", meeting_body("gone")).expect_success()
        host.call("meeting", "DelMeeting", {"meetingUUID": gone.text("meet:meetingUUID")}).expect_success()
        refused = host.call("meeting", "CreateMeeting", meeting_body("past", schedule={"startDate": "01/01/2001"}))
        assert not refused.ok
        admin = host.with_security(users["admin"])
        bodies = [
            (
                "user",
                "CreateUser",
                {
                    "firstName": "A",
                    "lastName": "B",
                    "webExId": f"wxh{i}",
                    "password": "Pw1x",
                    "email": f"wxh{i}@example.com",
                    "privilege": {"host": True},
                },
            )
            for i in range(2)
        ]
        admin.send(build_multi_request(bodies, users["admin"]), api="CreateUser x2").expect_success()
        rest = RestClient(emulator.rest_url, str(site_info["rest_token"]), http=http)
        made = rest.create({"title": "rest", "start": "2031-01-01T10:00:00Z", "end": "2031-01-01T11:00:00Z"})
        assert made.status == 200, made.describe()
    state = ledger.state()
    outstanding = {(o.kind, o.name) for o in state.outstanding()}
    assert outstanding == {("meeting", "kept"), ("user", "wxh0"), ("user", "wxh1"), ("rest-meeting", "rest")}
    assert state.find(["meeting"], str(site_info["name"]), kept.text("meet:meetingkey") or "") is not None
    events = [r["event"] for r in ledger.records]
    assert events.count("not-created") == 1 and events.count("deleted") == 1 and not state.unresolved()


class _BusyOnce(httpx.BaseTransport):
    """Answers the first request of each URL path a busy site's 503 (plain text, ``Retry-After: 0``, as the
    emulator's busy site and a real site's load balancer do), then forwards to the emulator."""

    def __init__(self) -> None:
        self.forward = httpx.HTTPTransport()
        self.refused: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path not in self.refused:
            self.refused.add(request.url.path)
            return httpx.Response(503, headers={"Retry-After": "0", "Content-Type": "text/plain"}, text="busy")
        return self.forward.handle_request(request)

    def close(self) -> None:
        self.forward.close()


def test_a_create_a_busy_site_refused_with_503_is_not_created_and_its_retry_is(
    emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    """A 503 is a refusal before processing (the clients send the create again): the refused attempt is
    journalled not created, so clean-up neither hunts for it nor reports an unknown outcome."""
    ledger = Ledger("r")
    with _hooked(ledger, emulator, site_info, _BusyOnce()) as http:
        host = XmlClient(emulator.xml_url, _users(site_info)["host"], http=http)
        made = host.call("meeting", "CreateMeeting", meeting_body("after a 503")).expect_success()
        rest = RestClient(emulator.rest_url, str(site_info["rest_token"]), http=http)
        created = rest.create(
            {"title": "rest after a 503", "start": "2031-01-01T10:00:00Z", "end": "2031-01-01T11:00:00Z"}
        )
        assert created.status == 200, created.describe()
    state = ledger.state()
    assert not state.unresolved(), state.unresolved()
    assert {(o.kind, o.id) for o in state.outstanding()} == {
        ("meeting", made.text("meet:meetingkey")),
        ("rest-meeting", str(created.json["id"])),
    }
    refusals = [r["reason"] for r in ledger.records if r["event"] == "not-created"]
    assert refusals == ["HTTP 503", "HTTP 503"]


def test_a_meeting_deleted_through_the_other_api_is_deleted_in_the_ledger(
    emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    """One meeting, two APIs: a REST meeting deleted with DelMeeting (by its meetingNumber) and a
    CreateMeeting meeting deleted with ``DELETE /v1/meetings/{id}`` (by the series ID a REST answer
    showed) are both ended as deleted by the tests — nothing is left for clean-up to look for."""
    ledger = Ledger("r")
    site = str(site_info["name"])
    with _hooked(ledger, emulator, site_info) as http:
        host = XmlClient(emulator.xml_url, _users(site_info)["host"], http=http)
        rest = RestClient(emulator.rest_url, str(site_info["rest_token"]), http=http)
        made = rest.create({"title": "rest side", "start": "2031-01-01T10:00:00Z", "end": "2031-01-01T11:00:00Z"})
        assert made.status == 200, made.describe()
        number = str(made.json["meetingNumber"])
        host.call("meeting", "DelMeeting", {"meetingKey": number}).expect_success()

        key = host.call("meeting", "CreateMeeting", meeting_body("xml side")).expect_success().text("meet:meetingkey")
        assert key
        listed = rest.list_meetings(meetingNumber=key, current="false")
        assert listed.status == 200 and len(listed.items) == 1, listed.describe()
        series_id = str(listed.items[0]["id"])
        assert rest.delete(series_id).status in (200, 204)

    state = ledger.state()
    assert state.outstanding() == []
    assert state.find(["rest-meeting"], site, number) is not None, "the REST meeting is found by its meetingNumber"
    assert series_id in (state.find(["meeting"], site, key) or pytest.fail("no meeting")).aliases
    deleted = [(r["kind"], r["how"]) for r in ledger.records if r["event"] == "deleted"]
    assert deleted == [("rest-meeting", "DelMeeting"), ("meeting", "DELETE")]


def test_a_series_id_is_an_alias_of_the_meeting_and_an_occurrence_id_is_not(
    emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    """Deleting one occurrence of a series (``<series>_…``) cancels that occurrence, not the meeting: an
    answer that lists the meeting's series and one of its occurrences teaches the ledger the series ID only."""
    ledger = Ledger("r")
    with _hooked(ledger, emulator, site_info) as http:
        host = XmlClient(emulator.xml_url, _users(site_info)["host"], http=http)
        key = host.call("meeting", "CreateMeeting", meeting_body("kept")).expect_success().text("meet:meetingkey")
        answer = httpx.Response(
            200,
            json={
                "items": [
                    {"id": "0123456789abcdef0123456789abcdef_20310101T100000Z", "meetingNumber": key},
                    {"id": "0123456789abcdef0123456789abcdef", "meetingNumber": key},
                ]
            },
            request=httpx.Request("GET", f"{emulator.rest_url}/meetings", headers={"Authorization": "Bearer x"}),
        )
        hooks = LedgerHooks(ledger, rest_url=emulator.rest_url, site_for_token=lambda t: str(site_info["name"]))
        hooks.on_request(answer.request)
        hooks.on_response(answer)

    kept = ledger.state().outstanding()
    assert [(o.kind, o.id, o.aliases) for o in kept] == [("meeting", key, ["0123456789abcdef0123456789abcdef"])]


def test_secrets_an_answer_hands_out_join_the_run_set_before_the_client_records_the_exchange(
    tmp_path: Path, emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    """A CreateMeeting answer's guest token and a REST meeting's password are secrets from that exchange
    on: the client sharing the set masks the token in that very exchange's record, and a meeting named
    after it shows ``********`` in the ledger file."""
    secrets = SecretSet()
    path = tmp_path / "ledger-r.jsonl"
    ledger = Ledger("r", path, secrets=secrets)
    token = str(site_info["rest_token"])
    hooks = LedgerHooks(
        ledger,
        rest_url=emulator.rest_url,
        secrets=secrets,
        site_for_token=lambda t: str(site_info["name"]) if t == token else None,
    )
    with hooks.install(httpx.Client(timeout=10)) as http:
        host = XmlClient(emulator.xml_url, _users(site_info)["host"], http=http, secrets=secrets)
        guest = host.call("meeting", "CreateMeeting", meeting_body("first")).expect_success().text("meet:guestToken")
        assert guest and len(guest) >= 16 and guest in secrets.values()
        assert host.last is not None and guest not in host.last.response
        assert "guestToken>********<" in host.last.response
        host.call("meeting", "CreateMeeting", meeting_body(f"wxh-r-{guest}")).expect_success()
        rest = RestClient(emulator.rest_url, token, http=http, secrets=secrets)
        made = rest.create({"title": f"about {guest}", "start": "2031-01-01T10:00:00Z", "end": "2031-01-01T11:00:00Z"})
        assert made.status == 200, made.describe()
        assert made.json["password"] in secrets.values()
        assert rest.last is not None and guest not in rest.last.request
    text = path.read_text()
    assert guest not in text and token not in text
    names = [r.get("name") for r in read_lines([path])]
    assert "wxh-r-********" in names and "about ********" in names


def test_cleaner_deletes_newest_first_and_proves_each_gone(
    emulator: RunningEmulator, site_info: dict[str, object]
) -> None:
    ledger = Ledger("r")
    users = _users(site_info)
    site = str(site_info["name"])
    with _hooked(ledger, emulator, site_info) as http:
        host = XmlClient(emulator.xml_url, users["host"], http=http)
        key = host.call("meeting", "CreateMeeting", meeting_body()).expect_success().text("meet:meetingkey")
        host.call(
            "attendee",
            "CreateMeetingAttendee",
            {"person": {"name": "Ann", "email": "ann@example.com"}, "meetingKey": key},
        ).expect_success()
        host.call("ep", "CreateContact", {"contact": {"name": "Cy", "email": "cy@example.com"}}).expect_success()
        two = host.call(
            "ep",
            "CreateContacts",
            {"contact": [{"name": "Di", "email": "di@example.com"}, {"name": "Ed", "email": "ed@example.com"}]},
        ).expect_success()
        host.call(
            "ep", "CreateDistList", {"distList": {"name": "wxh-r list", "contactID": two.texts("ep:contactID")}}
        ).expect_success()
        host.with_security(users["admin"]).call(
            "user",
            "CreateUser",
            {
                "firstName": "U",
                "lastName": "V",
                "webExId": "wxhuser",
                "password": "Pw1xyz",
                "email": "u@example.com",
                "privilege": {"host": True},
            },
        ).expect_success()
        RestClient(emulator.rest_url, str(site_info["rest_token"]), http=http).create(
            {"title": "r", "start": "2031-01-01T10:00:00Z", "end": "2031-01-01T11:00:00Z"}
        )
    state = ledger.state()
    with httpx.Client(timeout=10) as plain:
        cleaner = Cleaner(
            ledger,
            http=plain,
            xml_url=emulator.xml_url,
            rest_url=emulator.rest_url,
            credentials=lambda s, owner: [users["host"], users["admin"]],
            token=lambda s: str(site_info["rest_token"]),
        )
        result = cleaner.clean(state.outstanding(), state)
    assert [x["kind"] for x in result.removed] == ["rest-meeting", "user", "attendee", "meeting"]
    assert result.removed[1]["how"] == "DelUser; GetUser → DEACTIVATED"
    assert result.removed[3]["how"] == "DelMeeting; GetMeeting → 060001"
    # no API deletes a contact or a distribution list: they are left, and the run is still clean
    left = sorted((x["kind"], x["undeletable"]) for x in result.left)
    assert left == [("contact", True)] * 3 + [("dist-list", True)] and result.ok
    with httpx.Client() as http:
        after = ControlClient(emulator.base_url, http).state(site)
    assert after["sessions"] == []
    assert [u["active"] for u in after["users"] if u["webExID"] == "wxhuser"] == [False]
    assert sorted(o.kind for o in fold(ledger.records).outstanding()) == ["contact"] * 3 + ["dist-list"]


def test_names_carry_the_run_id() -> None:
    rid = "20260102-030405-beef"
    assert run_name("wxh", rid, "meeting") == f"wxh-{rid}-meeting"
    assert name_pattern("wxh", rid).match(f"wxh-{rid}-meeting")
    assert not name_pattern("wxh", rid).match("wxh-20260102-030405-dead-meeting")
    assert name_pattern("wxh", None).match("wxh-20260102-030405-dead-meeting")
    assert not name_pattern("wxh", None).match("wxh contract meeting")


# ---------------------------------------------------------------- whole runs

_LEAVER = '''
import json, os
import pytest
from webex_harness.plugin.rest_meetings import rest_client
from webex_harness.plugin.xml_meetings import meeting_body

@pytest.mark.behaviour("password-autogenerated")
def test_leaves_objects_behind(site, xml, run_name):
    """Creates one of each and deletes nothing: the session's clean-up must."""
    key = xml.call("meeting", "CreateMeeting", meeting_body(run_name("m"))).expect_success().text("meet:meetingkey")
    xml.call("attendee", "CreateMeetingAttendee",
             {"person": {"name": "A", "email": "a@example.com"}, "meetingKey": key}).expect_success()
    xml.call("training", "CreateTrainingSession", {"metaData": {"confName": run_name("t")},
             "schedule": {"startDate": "01/01/2031 10:00:00", "duration": 30}}).expect_success()
    site.client("admin").call("user", "CreateUser", {"firstName": "L", "lastName": "L", "webExId": "wxhleft",
        "password": "Pw1xyzzy", "email": "left@example.com", "privilege": {"host": True}}).expect_success()
    made = rest_client(site).create({"title": run_name("r"), "start": "2031-01-01T10:00:00Z",
                                     "end": "2031-01-01T11:00:00Z"})
    assert made.status == 200
    with open(os.environ["WXH_PROBE_OUT"], "a") as out:
        out.write(json.dumps({"site": site.name, "token": site.rest_token, "rest": made.json["id"]}) + "\\n")
'''


def _probe(tmp_path: Path, source: str) -> Path:
    probe = tmp_path / "probe" / "test_wxh_probe.py"
    probe.parent.mkdir()
    probe.write_text(source)
    return probe


def test_after_a_contracts_run_no_site_keeps_what_the_run_created(tmp_path: Path) -> None:
    probe = _probe(tmp_path, _LEAVER)
    out = tmp_path / "probe.jsonl"
    emulator = start_subprocess(ROOT / "environments" / "emulator.yaml", log_file=tmp_path / "emulator.log")
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "webex_harness.runs.cli",
                "contracts",
                "--emulator-url",
                emulator.base_url,
                "--workers",
                "1",
                "--behaviour",
                "password-autogenerated",
                "--behaviour",
                "duplicate-email-first-wins",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            env=child_env(WXH_PROBE_OUT=str(out), PYTEST_ADDOPTS=f"-c {ROOT / 'pyproject.toml'} {probe}"),
        )
        summary_line = [x for x in result.stdout.splitlines() if x.startswith("summary: ")]
        assert summary_line, result.stdout[-3000:] + result.stderr[-3000:]
        run_dir = Path(summary_line[-1].removeprefix("summary: ")).parent
        records = read_lines(sorted(run_dir.glob("ledger-*.jsonl")))
        state = fold(records)
        assert not state.outstanding(), [o.describe() for o in state.outstanding()]
        kinds = {o.kind for o in state.objects.values()}
        assert {"meeting", "attendee", "training", "user", "rest-meeting"} <= kinds
        left_by_probe = [json.loads(x) for x in out.read_text().splitlines()]
        assert len(left_by_probe) == 1
        by_cleanup = [r for r in records if r["event"] == "deleted" and r["by"] == "cleanup" and r["removed"]]
        assert len(by_cleanup) >= 4 and all(r["verified"] for r in by_cleanup)
        sites = set()
        for path in run_dir.glob("sites-*.json"):
            sites.update(json.loads(path.read_text())["created"])
        assert {p["site"] for p in left_by_probe} <= sites
        made_users = {(o.site, o.id) for o in state.objects.values() if o.kind == "user"}
        with httpx.Client(timeout=10) as http:
            control = ControlClient(emulator.base_url, http)
            for name in sites:
                st = control.state(name)
                assert st["sessions"] == [], (name, st["sessions"])
                assert not [u for u in st["users"] if (name, u["webExID"]) in made_users and u["active"]]
            for p in left_by_probe:  # the REST meetings too (the state does not show them)
                r = http.get(
                    f"{emulator.base_url}/v1/meetings/{p['rest']}", headers={"Authorization": f"Bearer {p['token']}"}
                )
                assert r.status_code == 404
        assert "cleanup: LEFT" not in result.stdout
    finally:
        emulator.stop()


_KILLED = """
import os, signal
import httpx
from webex_harness.plugin.rest_meetings import rest_client
from webex_harness.plugin.xml_meetings import meeting_body
from webex_harness.webex.envelope import build_request

def test_killed_mid_run(site, xml, run_name, target):
    key = xml.call("meeting", "CreateMeeting", meeting_body(run_name("a"))).expect_success().text("meet:meetingkey")
    xml.call("attendee", "CreateMeetingAttendee",
             {"person": {"name": "A", "email": "a@example.com"}, "meetingKey": key}).expect_success()
    assert rest_client(site).create({"title": "plain title", "start": "2031-01-01T10:00:00Z",
                                     "end": "2031-01-01T11:00:00Z"}).status == 200
    # sent past the ledger, as if the run died between sending and writing the answer down
    raw = build_request("meeting", "CreateMeeting", meeting_body(run_name("orphan")), xml.security)
    assert b"SUCCESS" in httpx.post(site.xml_url, content=raw).content
    os.kill(os.getpid(), signal.SIGKILL)
"""

_SITE_ENV = """target: site
xml_url: {base}/WBXService/XMLService
rest_url: {base}/v1
site_name: harness
credentials:
  webExID: host
  password: ${{WXH_T_PASSWORD:-Kill3d-run}}
  rest_token: ${{WXH_T_TOKEN:-emulator-token}}
allow:
  destructive: true
"""


def test_a_killed_run_is_cleaned_up_by_the_cleanup_command_and_nothing_else(tmp_path: Path) -> None:
    emulator = start_subprocess(ROOT / "environments" / "emulator.yaml", log_file=tmp_path / "emulator.log")
    try:
        env_file = tmp_path / "emu-as-site.yaml"
        env_file.write_text(_SITE_ENV.format(base=emulator.base_url))
        host = Security("harness", "host", "Kill3d-run")
        with httpx.Client(timeout=10) as http:
            outsider = XmlClient(emulator.xml_url, host, http=http)
            unrelated = outsider.call("meeting", "CreateMeeting", meeting_body("wxh unrelated")).expect_success()
            unrelated_key = unrelated.text("meet:meetingkey")
        rid = new_run_id()
        reports = tmp_path / "reports"
        probe = _probe(tmp_path, _KILLED)
        killed = subprocess.run(
            [
                *pytest_command(str(probe)),
                "-p",
                "no:xdist",
                "--env",
                str(env_file),
                "--run-dir",
                str(reports / rid),
                "-q",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=child_env(),
        )
        assert killed.returncode == -9, killed.stdout[-3000:] + killed.stderr[-2000:]
        state = fold(read_lines([reports / rid / f"ledger-{rid}.jsonl"]))
        assert sorted(o.kind for o in state.outstanding()) == ["attendee", "meeting", "rest-meeting"]

        cleaned = subprocess.run(
            [
                sys.executable,
                "-m",
                "webex_harness.runs.cli",
                "cleanup",
                "--env",
                str(env_file),
                "--run",
                rid,
                "--reports",
                str(reports),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=child_env(),
        )
        assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
        removed = [x for x in cleaned.stdout.splitlines() if x.strip().startswith(("removed", "already gone"))]
        assert len(removed) == 4, cleaned.stdout
        assert any(f"wxh-{rid}-orphan" in x for x in removed), cleaned.stdout  # found by its name
        assert "removed 3, already gone 1" in cleaned.stdout or "removed 4, already gone 0" in cleaned.stdout
        with httpx.Client(timeout=10) as http:
            sessions = ControlClient(emulator.base_url, http).state("harness")["sessions"]
        assert [s["key"] for s in sessions] == [unrelated_key]
        after = fold(read_lines([reports / rid / f"ledger-{rid}.jsonl"]))
        assert not after.outstanding() and not after.unresolved()
    finally:
        emulator.stop()
