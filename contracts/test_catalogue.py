"""Every documented API, driven by the catalogue (``generators/catalogue.yaml``).

For each XML API of the catalogue: the generated valid envelope succeeds and its answer carries the
documented response elements, in the documented order (:mod:`client.response_order`); every edge
case whose outcome the documentation states gets it. Edge cases the documentation is silent on are
sent and their answer reported (test property ``observed``), never asserted — unless the answer is
not a Webex envelope at all.

Objects an API needs (a meeting, an event, a training session, a user, a contact, a test …) are
created first on the test's own site and deleted with it.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from webex_harness.client.kinds import creator_of
from webex_harness.client.response_order import order_problem
from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import HOST_OWN_STATE, registration_form
from webex_harness.generators import edge_cases, valid_envelope, xml_api_names
from webex_harness.generators.api_releases import response_elements_at, without_later_request_elements
from webex_harness.generators.catalogue import ApiSpec, api
from webex_harness.generators.edge_builder import EdgeCase, context_requirements
from webex_harness.generators.envelopes import GenContext
from webex_harness.generators.naming import with_run_name
from webex_harness.plugin.site_release import SiteRelease
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import meeting_body, webex_date
from webex_harness.webex.envelope import XmlResponse

#: The seed every catalogue test uses for its envelopes (the run's --seed shifts it).
BASE_SEED = 7

#: APIs whose every case (not only those needing a testID) gets a library test of the run's own
_LIBRARY_APIS = ("LstLibTests", "CopyLibTests", "DelLibTests")

#: APIs that change users or the site: refused against a real site unless allow.destructive.
DESTRUCTIVE = {"CreateUser", "SetUser", "DelUser"}
#: APIs that change a declared user's own settings, which the generic tests cannot set back (the
#: One-Click tests of test_one_click.py do): refused against a real site unless allow.destructive.
OWN_SETTINGS = {"SetupOneClickSettings", "SetOneClickSettings", "UploadPMRImage"}
#: APIs that give the caller (the host) a new login ticket or change its One-Click settings: on a site
#: their cases join the tests of the host's own state (``HOST_OWN_STATE``), to run one after another
#: on one worker (``--dist loadgroup``) — a GetloginurlUser sent beside
#: test_user_login's ticket test replaced the ticket it had just read.
HOST_STATE_APIS = {"GetloginurlUser", "GetLoginTicket", *OWN_SETTINGS}
#: APIs the generic tests never send to a real site, with the reason.
EMULATOR_ONLY = {
    "DelRecording": "DelRecording would delete a real recording, and a run cannot make one of its own",
    "ReserveLab": "a lab reservation cannot be cancelled through the XML API (no API removes one)",
}
#: APIs only a site administrator may call (besides the user service's).
ADMIN_ONLY = {"LstAccessAnywhereHistory", "DetectSessionByCallback"}


def session_kind(spec: ApiSpec) -> str:
    """The kind of session an API's key addresses."""
    name = spec.name.lower()
    if spec.service in ("event", "training", "teleconference", "support"):
        return spec.service
    for kind in ("training", "event", "support"):
        if kind in name:
            return kind
    return "meeting"


def _first_local(response: XmlResponse, *names: str) -> str | None:
    wanted = " or ".join(f"local-name()='{n}'" for n in names)
    found = response.xpath(f".//*[{wanted}]")
    return (found[0].text or "").strip() if found else None


class Prerequisites:
    """Creates what an API's valid envelope refers to, on the test's site."""

    def __init__(self, site: SiteHandle, client: XmlClient, seed: int, *, valid: bool = False) -> None:
        self.site = site
        #: building the valid envelope's context (not an edge case's)
        self.valid = valid
        self.client = client
        self.seed = seed
        self.now = site_now(site)
        self.ctx = GenContext(now=self.now, security=client.security)
        self.cleanup: list[tuple[str, str, dict[str, Any]]] = []

    def session(self, kind: str, *, form: tuple[str, ...] = ()) -> tuple[str, str]:
        create = creator_of(kind)
        if kind == "meeting":
            # A plain meeting: the generated one may carry a registration form with required
            # fields, and attendee APIs would then (rightly) answer 040014.
            body = meeting_body(
                attendeeOptions={"registration": True},
                registrationForm=registration_form(*form),
                schedule={"startDate": webex_date(self.now + timedelta(days=7))},
            )
            response = self.client.call("meeting", "CreateMeeting", body).expect_success()
        else:
            response = self.client.send(
                run_named(self.site, create, valid_envelope(create, self.seed, self.ctx)), api=create
            ).expect_success()
        key = _first_local(response, "meetingkey", "sessionKey", "sessionkey")
        assert key, f"{create} answered no key"
        info = self.client.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
        uuid = info.text("ep:meetingUUID") or ""
        self.cleanup.append(("ep", "DelSession", {"sessionKey": key}))
        return key, uuid

    def build(self, spec: ApiSpec, requires: tuple[str, ...]) -> GenContext:
        ctx = self.ctx
        needs = set(requires)
        form: tuple[str, ...] = ()
        for need in needs:
            if need.startswith("session registrationForm requires "):
                form = tuple(need.removeprefix("session registrationForm requires ").split(" ")[0].split(","))
        if (
            spec.name.startswith("Lst")
            and spec.service != "user"
            and spec.name not in ("LstRecording", "LstLibTests")
            and "ctx.dist_list_id" not in needs  # LstContact, LstDistList list what the list holds
        ):
            needs.add("records exist for that session")  # a list answers 000015 when empty
        if spec.service == "history" and not self.site.is_emulator:
            # A run cannot end a session on a real site: take a past one from the caller's history.
            if needs & {"ctx.session_key", "ctx.meeting_uuid"}:
                ctx = self.past_session(spec, ctx)
            needs -= {"ctx.session_key", "ctx.meeting_uuid", "records exist for that session"}
        if needs & {
            "ctx.session_key",
            "ctx.meeting_uuid",
            "ctx.attendee_email",
            "ctx.test_id",
            "records exist for that session",
        }:
            key, uuid = self.session(session_kind(spec), form=form)
            ctx = ctx.with_(session_key=key, meeting_uuid=uuid)
            if needs & {"ctx.attendee_email", "records exist for that session"} or spec.name == "GetEnrollmentInfo":
                email = "wxh.attendee@example.com"
                self.client.call(
                    "attendee",
                    "RegisterMeetingAttendee",
                    {
                        "attendees": {
                            "person": {
                                "name": "Wxh Attendee",
                                "firstName": "Wxh",
                                "lastName": "Attendee",
                                "email": email,
                            },
                            "role": "ATTENDEE",
                            "sessionKey": key,
                        }
                    },
                ).expect_success()
                ctx = ctx.with_(attendee_email=email)
            if spec.name == "LstOpenSession" and (self.site.is_emulator or self.valid):
                # Open sessions are the ones in progress: start this one (an emulator control; a real
                # site's edge cases are answered the same with no session open).
                self.site.control.set_session(self.site.name, key, status="INPROGRESS", host_in_meeting=True)
            if "ctx.test_id" in needs or spec.name == "LstScheduledTests":
                added = self.client.send(
                    valid_envelope("AddScheduledTest", self.seed, ctx), api="AddScheduledTest"
                ).expect_success()
                ctx = ctx.with_(test_id=_first_local(added, "testID"))
            if ("records exist for that session" in needs or spec.service == "history") and self.site.is_emulator:
                # History holds sessions that have ended: move the site's clock past this one (a real
                # site's other lists hold the session as it is).
                self.site.advance_clock(90 * 24 * 3600)
        if needs & {"ctx.webex_id_target", "ctx.webex_id_target or the caller"}:
            if spec.name in DESTRUCTIVE and not self.site.is_emulator:
                ctx = ctx.with_(webex_id_target=self.own_user())  # never change a declared account
            else:
                invitee = self.site.users.get("invitee")
                ctx = ctx.with_(webex_id_target=invitee.webex_id if invitee is not None else None)
        if needs & {"ctx.lib_test_id", "ctx.test_participant"} or spec.name in _LIBRARY_APIS:
            # every case of these names the run's own test: a generated testID could be another user's
            ctx = self.library_test(ctx, answered="ctx.test_participant" in needs)
        if needs & {"ctx.contact_id", "ctx.dist_list_id"}:
            # Contacts and distribution lists stay on a real site: the XML API deletes neither.
            made = self.client.send(valid_envelope("CreateContact", self.seed, ctx), api="CreateContact")
            ctx = ctx.with_(contact_id=_first_local(made.expect_success(), "contactID"))
        if "ctx.dist_list_id" in needs:
            listed = self.client.send(valid_envelope("CreateDistList", self.seed, ctx), api="CreateDistList")
            ctx = ctx.with_(dist_list_id=_first_local(listed.expect_success(), "distListID"))
        if "ctx.conf_id" in needs:
            key, _ = self.session("support")
            info = self.client.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
            ctx = ctx.with_(conf_id=info.text("ep:confID"))
        if "ctx.lab_name" in needs:
            ctx = self.lab(spec, ctx)
        if "ctx.recording_id" in needs or spec.name == "LstRecording":
            # Recordings exist only for sessions that were recorded: take one of the caller's.
            listed = self.client.call("ep", "LstRecording", {"listControl": {"serv:startFrom": 1}})
            if not listed.ok and not self.site.is_emulator:
                pytest.skip(f"needs a recording of the caller, and a run cannot make one: {listed.describe()}")
            key = _first_local(listed.expect_success(), "sessionKey")
            ctx = ctx.with_(
                recording_id=_first_local(listed, "recordingID"),
                session_key=key,
                meeting_uuid=_first_local(listed, "meetingUUID"),
            )
        return ctx

    def lab(self, spec: ApiSpec, ctx: GenContext) -> GenContext:
        """``ctx`` with one of the site's Hands-on Labs; for GetLabSchedule's valid case a reservation
        in its window (made on the emulator only: no API cancels one on a real site)."""
        listed = self.client.call("training", "GetLabInfo", {})
        name = _first_local(listed, "labName") if listed.ok else None
        if not name:
            pytest.skip(f"needs a Hands-on Lab, the site has none ({listed.describe()})")
        ctx = ctx.with_(lab_name=name)
        if spec.name == "GetLabSchedule" and self.valid:
            if self.site.is_emulator:
                self.client.send(valid_envelope("ReserveLab", self.seed, ctx), api="ReserveLab").expect_success()
            else:
                got = self.client.send(valid_envelope(spec.name, self.seed, ctx), api=spec.name)
                if not (got.ok and _first_local(got, "confName")):
                    pytest.skip("the lab has no reservation in the window, and a run makes none on a real site")
        return ctx

    def library_test(self, ctx: GenContext, *, answered: bool) -> GenContext:
        """``ctx`` with a library test this test uploads (and deletes afterwards); ``answered``: with
        a participant's answers too, which only the emulator's control API can give."""
        if answered and not self.site.is_emulator:
            pytest.skip("a test result needs a participant's answers, which a run cannot give on a real site")
        made = self.client.send(valid_envelope("UploadIMStest", self.seed, ctx), api="UploadIMStest")
        test_id = _first_local(made.expect_success(), "testID")
        assert test_id, "UploadIMStest answered no testID"
        self.cleanup.append(("training", "DelLibTests", {"testID": test_id}))
        ctx = ctx.with_(lib_test_id=test_id)
        if answered:
            email = "wxh.learner@example.com"
            self.site.control.answer_test(self.site.name, test_id, name="Wxh Learner", email=email, answers={"1": 1})
            ctx = ctx.with_(test_participant=email)
        return ctx

    def own_user(self) -> str:
        """A user this test creates (named with the run's prefix) and deactivates afterwards."""
        webex_id = self.site.target.run_name(f"u{secrets.token_hex(4)}")
        self.client.call(
            "user",
            "CreateUser",
            {
                "firstName": "Wxh",
                "lastName": "Catalogue",
                "webExId": webex_id,
                "password": "Wxh" + secrets.token_hex(4) + "7Q",
                "email": f"{webex_id}@example.com",
                "privilege": {"host": True},
                "active": "ACTIVATED",
                "sendWelcome": False,
            },
        ).expect_success()
        self.cleanup.append(("user", "DelUser", {"webExId": webex_id}))
        return webex_id

    def past_session(self, spec: ApiSpec, ctx: GenContext) -> GenContext:
        """``ctx`` with the key and meetingUUID of a session in the caller's history (real sites)."""
        listed = self.client.send(valid_envelope(spec.name, self.seed, ctx), api=spec.name)
        key = _first_local(listed, "meetingKey", "sessionKey", "sessionkey") if listed.ok else None
        uuid = _first_local(listed, "meetingUUID") if listed.ok else None
        if not key or not uuid:
            pytest.skip(
                f"needs a past session in the caller's {spec.name} (the site's history is empty: {listed.describe()})"
            )
        return ctx.with_(session_key=key, meeting_uuid=uuid)

    def close(self) -> None:
        for service, api_name, body in reversed(self.cleanup):
            self.client.call(service, api_name, body)


def site_now(site: SiteHandle) -> datetime:
    """The site's clock (the emulator's may have been moved), as naive UTC."""
    if site.is_emulator:
        return datetime.fromisoformat(site.state()["now"]).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def caller_role(spec: ApiSpec) -> str:
    """User management needs a site administrator; everything else runs as the host."""
    if spec.name in ADMIN_ONLY:
        return "admin"  # another user's records, or the site's
    return "admin" if spec.service == "user" and spec.name not in ("GetMe", "AuthenticateUser") else "host"


_WEBEX_ID = re.compile(rb"<webExId>([^<]+)</webExId>")


def run_named(site: SiteHandle, api_name: str, envelope: bytes) -> bytes:
    """A generated Create* envelope whose session name is the run's (``<cleanup_prefix>-<run-id>-…``),
    so ``webex-harness cleanup`` finds what it made even if the run dies with the create in flight."""
    if not api_name.startswith("Create"):
        return envelope
    return with_run_name(envelope, site.target.run_name(api_name.removeprefix("Create").lower()))


def own_users(site: SiteHandle, api_name: str, envelope: bytes) -> bytes:
    """The run's names in a generated envelope (:func:`run_named`); on a real site also the users a
    CreateUser envelope makes carry the run's prefix: DelUser only deactivates, so a generated webExId
    would already exist on the next run (and clean-up finds them)."""
    envelope = run_named(site, api_name, envelope)
    if api_name != "CreateUser" or site.is_emulator:
        return envelope
    return _WEBEX_ID.sub(
        lambda m: b"<webExId>" + site.target.run_name(m.group(1).decode()).encode() + b"</webExId>", envelope
    )


def _guard(site: SiteHandle, api_name: str) -> None:
    if site.is_emulator:
        return
    if api_name in EMULATOR_ONLY:
        pytest.skip(f"emulator only: {EMULATOR_ONLY[api_name]}")
    if api_name in DESTRUCTIVE | OWN_SETTINGS and not site.target.environment.allow.destructive:
        what = "users" if api_name in DESTRUCTIVE else "a declared user's own settings"
        pytest.skip(f"refused: {api_name} changes {what} on a real site; set allow.destructive: true to allow it")


def _host_state_group(api_name: str) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xdist_group(HOST_OWN_STATE)] if api_name in HOST_STATE_APIS else []


def _valid_params() -> list[Any]:
    """Each API's valid-envelope case; those with two or more documented response elements also
    prove ``response-element-order``."""
    params = []
    for name in xml_api_names():
        marks = [pytest.mark.api(name, "valid"), *_host_state_group(name)]
        if len(api(name).response_elements) >= 2:
            marks.append(pytest.mark.behaviour("response-element-order"))
        params.append(pytest.param(name, marks=marks))
    return params


@pytest.mark.parametrize("api_name", _valid_params())
def test_valid_envelope_succeeds_with_documented_response(
    site: SiteHandle, seed: int, api_name: str, site_release: SiteRelease
) -> None:
    spec = api(api_name)
    documented = response_elements_at(spec, site_release.release)  # what the site's release answers
    _guard(site, api_name)
    client = site.client(caller_role(spec))
    pre = Prerequisites(site, client, BASE_SEED + seed, valid=True)
    try:
        ctx = pre.build(spec, context_requirements(spec, pre.ctx))
        envelope = valid_envelope(api_name, BASE_SEED + seed, ctx)
        envelope = without_later_request_elements(spec, envelope, site_release.release)  # what the release takes
        response = client.send(own_users(site, api_name, envelope), api=api_name)
        assert response.ok, response.describe()
        assert response.body is not None
        assert response.body.get("{http://www.w3.org/2001/XMLSchema-instance}type") == spec.response_type
        missing = [path for path in documented if not response.has(path)]
        assert not missing, f"documented response elements missing: {missing}"
        problem = order_problem(api_name, response, documented)
        assert problem is None, str(problem)
    finally:
        pre.close()


def _edge_params() -> list[Any]:
    params = []
    for name in xml_api_names():
        for case in edge_cases(name, BASE_SEED):
            marks = [pytest.mark.api(name, "edge"), *_host_state_group(name)]
            if case.expect.behaviour and case.expect.documented:
                marks.append(pytest.mark.behaviour(case.expect.behaviour))
            params.append(pytest.param(name, case.id, marks=marks, id=f"{name}-{case.id}"))
    return params


def _find_case(api_name: str, case_id: str, seed: int, ctx: GenContext) -> EdgeCase:
    return next(c for c in edge_cases(api_name, seed, ctx) if c.id == case_id)


def _check(case: EdgeCase, response: XmlResponse) -> None:
    expect = case.expect
    if expect.result == "HTTP":
        assert response.http_status == expect.http_status, response.describe()
        return
    assert response.result == expect.result, f"{case.description}: expected {expect.result}, got {response.describe()}"
    if expect.exception_id is not None:
        assert response.exception_id == expect.exception_id, response.describe()
    if expect.value is not None:
        assert response.value == expect.value, response.describe()


@pytest.mark.parametrize(("api_name", "case_id"), _edge_params())
def test_edge_case_gets_the_documented_outcome(
    site_factory: Any, seed: int, api_name: str, case_id: str, request: pytest.FixtureRequest
) -> None:
    _guard_case = api(api_name)
    base_case = next(c for c in edge_cases(api_name, BASE_SEED) if c.id == case_id)
    settings: dict[str, Any] = {}
    if "site.consistent_locked_lobby" in base_case.expect.requires:
        settings["consistent_locked_lobby"] = True
    site = site_factory(**settings)
    _guard(site, api_name)
    client = site.client(caller_role(_guard_case))
    pre = Prerequisites(site, client, BASE_SEED + seed)
    try:
        ctx = pre.build(_guard_case, base_case.expect.requires)
        case = _find_case(api_name, case_id, BASE_SEED + seed, ctx)
        response = client.send(own_users(site, api_name, case.envelope), api=api_name)
        request.node.user_properties.append(("observed", response.describe()))
        assert response.result in ("SUCCESS", "FAILURE") or response.http_status in (403, 413), (
            f"not a Webex answer: {response.describe()}"
        )
        if case.expect.documented:
            _check(case, response)
    finally:
        pre.close()
