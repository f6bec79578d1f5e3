"""The scheduling services in-process: every valid envelope of the generators succeeds (with the
objects it refers to, and records for the lists), and the helpers behave."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from webex_harness.emulator.app import create_app
from webex_harness.emulator.services import common, meeting_options
from webex_harness.generators import valid_envelope
from webex_harness.generators.catalogue import api
from webex_harness.generators.envelopes import GenContext
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response

XML_PATH = "/WBXService/XMLService"
SECURITY = Security(site_name="harness", webex_id="host", password="emulator-pass")

#: API -> the kind of session its key addresses (None: needs none).
SCHEDULING_APIS: dict[str, str | None] = {
    "CreateMeeting": None,
    "SetMeeting": "meeting",
    "GetMeeting": "meeting",
    "DelMeeting": "meeting",
    "LstsummaryMeeting": "meeting",
    "GethosturlMeeting": "meeting",
    "GetjoinurlMeeting": "meeting",
    "GetMeetingType": None,
    "LstMeetingType": None,
    "CreateEvent": None,
    "SetEvent": "event",
    "GetEvent": "event",
    "DelEvent": "event",
    "LstsummaryEvent": "event",
    "UploadEventImage": "event",
    "SendInvitationEmail": "event",
    "CreateTrainingSession": None,
    "SetTrainingSession": "training",
    "GetTrainingSession": "training",
    "DelTrainingSession": "training",
    "LstsummaryTrainingSession": "training",
    "AddScheduledTest": "training",
    "SetScheduledTest": "training",
    "DelScheduledTest": "training",
    "LstScheduledTests": "training",
    "GetTestInformation": "training",
    "CreateTeleconferenceSession": None,
    "SetTeleconferenceSession": "teleconference",
    "GetTeleconferenceSession": "teleconference",
    "CreateSupportSession": None,
    "CreateMeetingAttendee": "meeting",
    "RegisterMeetingAttendee": "meeting",
    "LstMeetingAttendee": "meeting",
    "DelMeetingAttendee": "meeting",
    "GetEnrollmentInfo": "meeting",
}
_CREATE = {
    "meeting": ("meeting", "CreateMeeting"),
    "event": ("event", "CreateEvent"),
    "training": ("training", "CreateTrainingSession"),
    "teleconference": ("teleconference", "CreateTeleconferenceSession"),
}


class Emulator:
    def __init__(self) -> None:
        self.app = create_app()

    def send(self, raw: bytes) -> XmlResponse:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="https://harness.webex.com") as client:
                return await client.post(XML_PATH, content=raw)

        r = asyncio.run(go())
        return parse_response(r.content, r.status_code)

    def call(self, service: str, api_name: str, body: dict[str, Any]) -> XmlResponse:
        return self.send(build_request(service, api_name, body, SECURITY))


def _first(response: XmlResponse, *names: str) -> str:
    wanted = " or ".join(f"local-name()='{n}'" for n in names)
    found = response.xpath(f".//*[{wanted}]")
    return (found[0].text or "").strip() if found else ""


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    return Emulator()


def _context(emu: Emulator, kind: str | None, now: datetime) -> GenContext:
    ctx = GenContext(now=now, security=SECURITY, meeting_type_id="3")
    if kind is None:
        return ctx
    service, create = _CREATE[kind]
    if kind == "meeting":  # a generated meeting may require registration fields the attendee lacks
        created = emu.call(
            service, create, {"metaData": {"confName": "wxh unit"}, "schedule": {"startDate": "12/31/2099 10:00:00"}}
        )
    else:
        created = emu.send(valid_envelope(create, 3, ctx))
    assert created.ok, created.describe()
    key = _first(created, "meetingkey", "sessionKey", "sessionkey")
    uuid = _first(created, "meetingUUID")
    ctx = ctx.with_(session_key=key, meeting_uuid=uuid)
    email = "wxh.unit@example.com"
    emu.call(
        "attendee",
        "RegisterMeetingAttendee",
        {"attendees": {"person": {"name": "Wxh Unit", "email": email}, "sessionKey": key}},
    ).expect_success()
    ctx = ctx.with_(attendee_email=email)
    if kind == "training":
        emu.call("training", "AddScheduledTest", {"testID": 777, "sessionKey": key}).expect_success()
        ctx = ctx.with_(test_id="777")
    return ctx


@pytest.mark.parametrize("api_name", list(SCHEDULING_APIS))
def test_valid_envelope_succeeds(emulator: Emulator, api_name: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    ctx = _context(emulator, SCHEDULING_APIS[api_name], now)
    spec = api(api_name)
    for seed in (1, 2, 3):
        if api_name.startswith("Del") and seed > 1:
            break
        response = emulator.send(valid_envelope(api_name, seed, ctx))
        assert response.ok, f"{api_name} seed {seed}: {response.describe()}"
        assert response.xpath("@xsi:type") == [spec.response_type]


def test_hostile_values_give_failures_not_exceptions(emulator: Emulator) -> None:
    key = _first(
        emulator.call(
            "meeting",
            "CreateMeeting",
            {"metaData": {"confName": "x"}, "schedule": {"startDate": "12/31/2099 10:00:00"}},
        ).expect_success(),
        "meetingkey",
    )
    for body in (
        {"meetingkey": key, "schedule": {"startDate": "31/31/2099 99:99:99"}},
        {"meetingkey": key, "schedule": {"duration": "forever"}},
        {"meetingkey": key, "schedule": {"timeZoneID": "999"}},
        {"meetingkey": key, "attendeeOptions": {"autoLockWaitTime": "ten"}},
        {"meetingkey": key, "metaData": {"meetingType": "PRO"}},
    ):
        response = emulator.call("meeting", "SetMeeting", body)
        assert response.result == "FAILURE", body
    for service, api_name, body in (
        ("event", "UploadEventImage", {"sessionKey": key, "imageType": "GIF", "imageData": "%%%"}),
        ("training", "AddScheduledTest", {"sessionKey": key, "testID": "-1"}),
        ("meetingtype", "GetMeetingType", {"meetingTypeID": "x"}),
        ("meeting", "LstsummaryMeeting", {"dateScope": {"startDateStart": "yesterday"}}),
    ):
        assert emulator.call(service, api_name, body).result == "FAILURE", api_name


class _Call:
    """Just enough of dispatch.Call for the pure helpers."""

    def __init__(self, *faults: str) -> None:
        self.faults = set(faults)

    def fault(self, behaviour_id: str) -> bool:
        return behaviour_id in self.faults


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("<p>Hi</p><script>alert(1)</script>ok", "<p>Hi</p>ok", "alert"),
        ('<img src="a.png" onerror="alert(1)">', '<img src="a.png">', "onerror"),
        ('<a href="java\tscript:alert(1)">x</a>', "x", "script:"),
        ("<scr<script>x</script>ipt>alert(2)</script>", "alert(2)", "<script"),
        ("<IFRAME SRC=//evil></IFRAME>after", "after", "iframe"),
        ("Q&A <b>bold</b> 3 < 4", "Q&A <b>bold</b> 3 < 4", "<script"),
    ],
)
def test_filter_html(text: str, kept: str, gone: str) -> None:
    out = common.filter_html(_Call(), text)  # type: ignore[arg-type]
    assert kept in out and gone not in out.lower(), out
    assert common.filter_html(_Call("unsafe-html-filtered"), text) == text  # type: ignore[arg-type]


def test_filter_html_is_linear_on_hostile_input() -> None:
    import time

    started = time.perf_counter()
    common.filter_html(_Call(), "<script>" * 100_000 + "<scr" * 50_000)  # type: ignore[arg-type]
    # a bound on a hang, not a speed: a quadratic filter takes hours on this input, a linear one milliseconds
    assert time.perf_counter() - started < 30


def test_first_per_email_keeps_the_first_and_the_fault_keeps_all() -> None:
    items = [("a@x.com", 1), ("b@x.com", 2), ("A@x.com", 3), ("", 4), ("", 5)]
    assert [i for _, i in common.first_per_email(_Call(), items)] == [1, 2, 4, 5]  # type: ignore[arg-type]
    assert len(common.first_per_email(_Call("duplicate-email-first-wins"), items)) == 5  # type: ignore[arg-type]


def _get_meeting(emulator: Emulator, enable_options: dict[str, str], **sections: Any) -> XmlResponse:
    created = emulator.call(
        "meeting",
        "CreateMeeting",
        {
            "metaData": {"confName": "wxh options"},
            "enableOptions": enable_options,
            "schedule": {"startDate": "12/31/2099 10:00:00"},
            **sections,
        },
    ).expect_success()
    key = _first(created, "meetingkey")
    return emulator.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()


def test_get_meeting_fills_unsent_flags_with_the_template_defaults_in_order(emulator: Emulator) -> None:
    got = _get_meeting(emulator, {"annotation": "TRUE", "hqVideo": "false", "custom": "kept"})
    names = [child.tag.split("}")[1] for child in got.xpath("meet:enableOptions/*")]
    documented = [name for name, _ in meeting_options.ENABLE_OPTIONS]
    assert names == [*documented, "custom"], "documented flags in order, then what else was sent"
    assert got.text("meet:enableOptions/meet:chat") == "true"  # template default
    assert got.text("meet:enableOptions/meet:zoom") == "false"  # template default
    assert got.text("meet:enableOptions/meet:annotation") == "true"  # sent, any case of TRUE
    assert got.text("meet:enableOptions/meet:HQvideo") == "false"  # sent in another case
    assert got.text("meet:enableOptions/meet:custom") == "kept"
    assert got.has("meet:metaData/meet:agenda") and not got.text("meet:metaData/meet:agenda")  # none sent: empty


def test_e2ee_and_registration_drive_their_flags(emulator: Emulator) -> None:
    got = _get_meeting(
        emulator,
        {"supportE2E": "true", "joinBeforeHost": "true", "networkBasedRecording": "true"},
        attendeeOptions={"registration": "true"},
    )
    assert got.text("meet:enableOptions/meet:joinBeforeHost") == "false"
    assert got.text("meet:enableOptions/meet:networkBasedRecording") == "false"
    assert got.text("meet:enableOptions/meet:enableReg") == "true"
    key = got.text("meet:meetingkey") or ""
    info = emulator.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert info.text("ep:isAllowJBH") == "false"
