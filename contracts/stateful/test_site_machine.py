"""A state machine over the site-level APIs: GetSite, GetAPIVersion, LstTimeZone, LstsummarySession,
the bodyContent limit and the GetSessionInfo / GetUserCard usage limit (001, 40.4.5, 40.8.0).

A model rides along: the site's options and the release it plays, the meetings the machine made (and
deleted), and per caller (``host``, ``invitee``, an anonymous siteName-only caller) the "no data
found" failures of the last hour of the site clock and the block they started. Every read compares
with it:

* GetSite answers the options the site has, each only where the release it plays documents it
  (EnableMobileScreenCapture from 40.10.0, the site-level meetingTemplates from 40.12.0);
  GetAPIVersion the release it plays; LstTimeZone the zones asked for in that order, each at its
  offset at the request's date (daylight saving included).
* A request with as many bodyContents as the site's limit, or more, fails with 000053; below it each
  is answered in order.
* LstsummarySession of a meeting the machine made lists it alone; of a deleted one 000015.
* The usage limit: a no-data failure of GetSessionInfo / GetUserCard is answered as a FAILURE until
  the failures of one caller within a sliding hour reach the limit; from the next request on that
  caller's GetSessionInfo and GetUserCard answer ``403 Forbidden`` — and nothing else does, and no
  other caller is blocked — until two hours have passed.

On the emulator the machine first gives its fresh site a low usage limit and bodyContent limit
(``configure``), changes options and the release as it goes, and moves the site clock; those rules,
and every rule that causes a no-data failure, run on the emulator only (on a real site they would
lock a user out for two hours). On a real site the declared settings are the model, and the machine
makes only meetings named for the run, which it deletes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, precondition, rule

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.contracts.support import TIME_ZONE_FIELDS
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import meeting_body
from webex_harness.webex import releases, timezones
from webex_harness.webex.envelope import BodyTree, Security, XmlResponse, build_multi_request
from webex_harness.webex.errors import NO_DATA_EXCEPTIONS
from webex_harness.webex.settings import LATEST_API_VERSION

#: the callers whose failures the site counts apart: two users and the anonymous (siteName-only) one
CALLERS = ("host", "invitee", "anonymous")
#: the APIs the usage limit does not cover (a blocked caller keeps them), with a body for each
OTHER_APIS: dict[str, tuple[str, BodyTree]] = {
    "GetSite": ("site", {}),
    "GetAPIVersion": ("ep", {}),
    "LstTimeZone": ("site", {"timeZoneID": 4}),
    "LstsummarySession": ("ep", {}),
}
#: the callers whose lookups of nothing the machine sends (the invitee shows that a block is the caller's own)
LOOKERS = ("host", "anonymous")
#: releases the machine's emulator site plays: those with the usage limit as tightened in 40.8.0
RELEASES = ("40.12.0", "40.10.0", "40.8.0", "40.11.0", "40.9.0")
#: "in one hour" / "in next two hours" (001, 40.8.0), in seconds of the site clock
WINDOW = 3600.0
BLOCK = 7200.0
#: how close (seconds) the site clock may come to a window's or a block's end: the emulator's clock
#: is real time plus the moves, so the steps between two moves take a little real time
MARGIN = 120.0
_SI = "ns1:siteInstance"
#: the bodies a several-bodyContent request cycles through (none of them usage-limited), and the
#: xsi:type of each answer
_BODIES: tuple[tuple[str, str, BodyTree, str], ...] = (
    ("site", "GetSite", {}, "ns1:getSiteResponse"),
    ("ep", "GetAPIVersion", {}, "ep:getAPIVersionResponse"),
    ("site", "LstTimeZone", {"timeZoneID": 4}, "ns1:lstTimeZoneResponse"),
)
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
#: keys no site gives a meeting (site keys have 9 digits): a GetSessionInfo of one is "no data"
_UNKNOWN_KEYS = itertools.count(5_000_000_001)


@dataclass
class Usage:
    """One caller's side of the usage limit: the no-data failures within the window, the block's end."""

    failures: list[float] = field(default_factory=list)
    blocked_until: float | None = None

    def blocked(self, now: float) -> bool:
        if self.blocked_until is not None and now >= self.blocked_until:
            self.blocked_until = None  # two hours are over: the block lifts
        return self.blocked_until is not None

    def fail(self, now: float, limit: int) -> None:
        """A no-data failure answered now: the block starts when the hour's count reaches the limit."""
        self.failures = [t for t in self.failures if t > now - WINDOW] + [now]
        if len(self.failures) >= limit:
            self.blocked_until = now + BLOCK
            self.failures = []


def in_release(api: str, path: str, version: str) -> bool:
    """Whether the response element ``path`` of ``api`` is documented for ``version`` (webex/releases.yaml)."""
    change = releases.element_changes(api, "response").get(path)
    return change is None or change.why_missing(releases.Release.parse(version)) is None


class SiteCallers(ContractMachine):
    """What both machines share: the callers (two users and an anonymous one), each with its side of
    the usage limit, and the checks of an answer against it."""

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.limit = max(1, int(site.settings.usage_limit_per_hour))
        self.now = 0.0  # seconds the machine moved the site clock
        self.usage = {caller: Usage() for caller in CALLERS}

    # ------------------------------------------------------------ callers

    def caller(self, who: str) -> XmlClient:
        """The client of ``who``: a role, or ``anonymous`` (siteName only); its exchanges kept with the step."""
        if who != "anonymous":
            return self.client(who)
        if who not in self._clients:
            options = self.site.target.client_options()
            options["on_exchange"] = self._tee(options.get("on_exchange"))
            self._clients[who] = XmlClient(self.site.xml_url, Security(site_name=self.site.name), **options)
        return self._clients[who]

    def blocked(self, who: str) -> bool:
        return self.usage[who].blocked(self.now)

    def expect_not_blocked(self, who: str, response: XmlResponse, what: str) -> None:
        """A request the usage limit must not touch: answered with an envelope, never 403."""
        state = "blocked by the usage limit" if self.blocked(who) else "not blocked"
        assert response.http_status == 200 and response.result in ("SUCCESS", "FAILURE"), (
            f"{what} as {who} ({state}): expected an envelope, got {response.describe()}"
        )

    def expect_limited(self, who: str, response: XmlResponse, what: str) -> bool:
        """A GetSessionInfo / GetUserCard: ``403 Forbidden`` while ``who`` is blocked (True), else an
        envelope (False)."""
        if self.blocked(who):
            until = self.usage[who].blocked_until or 0.0
            assert response.http_status == 403 and b"forbidden" in response.raw.lower(), (
                f"{what} as {who}: the caller's no-data failures reached the limit of {self.limit} within an hour "
                f"{(self.now - (until - BLOCK)) / 60:.0f} min ago (the block ends in {(until - self.now) / 60:.0f} "
                f"min): expected HTTP 403 Forbidden, got {response.describe()}"
            )
            return True
        self.expect_not_blocked(who, response, what)
        return False

    def own_card_reads_back(self, who: str) -> None:
        """GetUserCard of the caller itself: its card, or 403 while the caller is blocked."""
        own = self.site.security(who).webex_id or who
        got = self.caller(who).call("user", "GetUserCard", {"webExId": own})
        if not self.expect_limited(who, got, "GetUserCard of itself"):
            assert got.ok, f"GetUserCard of itself as {who}: {got.describe()}"


class SiteMachine(SiteCallers):
    """GetSite, GetAPIVersion, LstTimeZone, several bodyContents and LstsummarySession against a model
    of the site's settings, the release it plays and the meetings the machine made."""

    examples = 8
    steps_per_example = 10
    meetings = Bundle("meetings")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        settings = site.settings
        self.body_limit = int(settings.body_content_limit)
        self.mobile_capture = bool(settings.mobile_screen_capture)
        self.scheduled_pmr = bool(settings.return_scheduled_pmr)
        self.release = settings.api_version
        #: on a real site whose file does not declare the release: the first GetAPIVersion's answer
        self.release_known = site.is_emulator or site.target.environment.api_version_declared
        self.names: dict[str, str] = {}  # live meetings: label -> confName
        self.deleted: list[str] = []  # keys of the meetings the machine deleted

    # ------------------------------------------------------------ the emulator's site

    @initialize(
        body_limit=st.integers(3, 5),
        mobile=st.booleans(),
        pmr=st.booleans(),
        release=st.sampled_from(RELEASES),
    )
    @recorded
    def configure(self, body_limit: int, mobile: bool, pmr: bool, release: str) -> None:
        """On the emulator: a low bodyContent limit, options and a release (a real site keeps its
        declared settings)."""
        if not self.site.is_emulator:
            return
        self.site.control.set_settings(
            self.site.name,
            body_content_limit=body_limit,
            mobile_screen_capture=mobile,
            return_scheduled_pmr=pmr,
            api_version=release,
        )
        self.body_limit, self.mobile_capture, self.scheduled_pmr = body_limit, mobile, pmr
        self.release = release
        self.site_reads_back("host")

    @precondition(lambda self: self.site.is_emulator)
    @rule(mobile=st.booleans(), pmr=st.booleans(), release=st.sampled_from(RELEASES))
    @recorded
    def reconfigure(self, mobile: bool, pmr: bool, release: str) -> None:
        """The site's administrator changes its options; the site moves to another release."""
        self.site.control.set_settings(
            self.site.name, mobile_screen_capture=mobile, return_scheduled_pmr=pmr, api_version=release
        )
        self.mobile_capture, self.scheduled_pmr, self.release = mobile, pmr, release
        self.site_reads_back("host")  # what the administrator set is what GetSite answers now

    # ------------------------------------------------------------ site, release, time zones

    @rule(who=st.sampled_from(CALLERS))
    @recorded
    def get_site(self, who: str) -> None:
        """GetSite answers the site's options, as far as the release it plays documents them."""
        self.site_reads_back(who)

    def site_reads_back(self, who: str) -> None:
        got = self.caller(who).call("site", "GetSite", {})
        self.expect_not_blocked(who, got, "GetSite")
        assert got.ok, f"GetSite as {who}: {got.describe()}"
        assert (got.text(f"{_SI}/ns1:metaData/ns1:siteName") or "").lower() == self.site.name.lower()
        ids = got.texts(f"{_SI}/ns1:meetingTypes/ns1:meetingTypeID")
        assert ids and all(i.isdigit() for i in ids), f"GetSite meetingTypes: {ids}"
        self._site_option(got, "ns1:siteCommonOptions/ns1:SupportXMLAPIReturnScheduledPMR", self.scheduled_pmr)
        self._site_option(got, "ns1:securityOptions/ns1:EnableMobileScreenCapture", self.mobile_capture)
        path = "ns1:meetingTemplates/ns1:meetingTemplate/ns1:meetingTemplateName"
        names = got.texts(f"{_SI}/{path}")
        if in_release("GetSite", f"{_SI}/{path}", self.release):
            kinds = got.texts(f"{_SI}/ns1:meetingTemplates/ns1:meetingTemplate/ns1:serviceType")
            assert names and all(names), f"GetSite ({self.release}) reports no site-level meetingTemplates"
            assert set(kinds) <= {"MeetingCenter", "EventCenter", "TrainingCenter"}, kinds
        else:
            assert not names, f"GetSite of a {self.release} site reports 40.12.0's meetingTemplateName: {names}"

    def _site_option(self, got: XmlResponse, path: str, value: bool) -> None:
        found = got.texts(f"{_SI}/{path}")
        if in_release("GetSite", f"{_SI}/{path}", self.release):
            assert found == [str(value).lower()], f"GetSite {path}: {found}, the site's setting is {value}"
        else:
            assert not found, f"GetSite of a {self.release} site reports {path}, which came later"

    @rule(who=st.sampled_from(CALLERS))
    @recorded
    def api_version(self, who: str) -> None:
        """GetAPIVersion (any caller, anonymous too) names the release the site plays."""
        got = self.caller(who).call("ep", "GetAPIVersion", {})
        self.expect_not_blocked(who, got, "GetAPIVersion")
        assert got.ok and got.body is not None, f"GetAPIVersion as {who}: {got.describe()}"
        assert [c.tag.split("}")[1] for c in got.body] == ["apiVersion", "release", "apiVer"], got.describe()
        assert (got.text("ep:apiVersion") or "").startswith("WebEx XML API V") and got.text("ep:release")
        answered = got.text("ep:apiVer") or ""
        if not self.release_known:  # a real site that declares no release: the first answer, then the same
            assert releases.release_problem(answered) is None, f"GetAPIVersion apiVer {answered!r}"
            self.release, self.release_known = answered, True
        assert answered == self.release, f"GetAPIVersion answers {answered!r}; the site plays {self.release}" + (
            " (the latest is a different release)" if self.release != LATEST_API_VERSION else ""
        )

    @rule(
        zones=st.lists(st.integers(0, timezones.count() - 1), max_size=3, unique=True),
        month=st.integers(1, 12),
        who=st.sampled_from(CALLERS),
    )
    @recorded
    def time_zones(self, zones: list[int], month: int, who: str) -> None:
        """LstTimeZone: the zones asked for in that order (none: all), each at its offset on the date."""
        when = datetime(2015, month, 15, 12, 0, 0)
        body: dict[str, Any] = {"date": when.strftime("%m/%d/%Y %H:%M:%S")}
        if zones:
            body["timeZoneID"] = list(zones)
        got = self.caller(who).call("site", "LstTimeZone", body)
        self.expect_not_blocked(who, got, "LstTimeZone")
        assert got.ok, f"LstTimeZone as {who}: {got.describe()}"
        wanted = zones or list(range(timezones.count()))
        assert got.texts("ns1:timeZone/ns1:timeZoneID") == [str(z) for z in wanted]
        for zone, node in zip(wanted, got.xpath("ns1:timeZone"), strict=True):
            assert [c.tag.split("}")[1] for c in node] == TIME_ZONE_FIELDS, f"zone {zone}: {[c.tag for c in node]}"
            offset = timezones.gmt_offset_minutes(zone, when)
            dst = timezones.in_daylight_saving(zone, when)
            assert node.findtext("{*}gmtOffset") == str(offset), f"zone {zone} on {body['date']}: offset"
            assert node.findtext("{*}fallInDST") == str(dst).lower(), f"zone {zone} on {body['date']}: fallInDST"
            hours, minutes = divmod(abs(offset), 60)
            assert (node.findtext("{*}description") or "").startswith(
                f"GMT{'-' if offset < 0 else '+'}{hours:02d}:{minutes:02d}"
            ), f"zone {zone}: description {node.findtext('{*}description')!r}"

    # ------------------------------------------------------------ several bodyContents

    @rule(below=st.integers(-2, 1), who=st.sampled_from(CALLERS))
    @recorded
    def several_bodies(self, below: int, who: str) -> None:
        """``limit + below`` bodyContents in one request: 000053 at the limit or over it, else each
        answered in order."""
        count = max(1, self.body_limit + below)
        chosen = [_BODIES[i % len(_BODIES)] for i in range(count)]
        client = self.caller(who)
        got = self.send(build_multi_request([b[:3] for b in chosen], client.security), "multiple bodyContents", who)
        self.expect_not_blocked(who, got, f"{count} bodyContents")
        if count >= self.body_limit:
            assert got.result == "FAILURE" and got.exception_id == "000053", (
                f"{count} bodyContents (the site's limit is {self.body_limit}): expected 000053, got {got.describe()}"
            )
            assert got.reason == f"The count of BodyContent in a request must be less than {self.body_limit}"
        else:
            assert [r["result"] for r in got.results] == ["SUCCESS"] * count, f"{count} bodyContents: {got.results}"
            assert [b.get(_XSI_TYPE) for b in got.bodies] == [b[3] for b in chosen]

    def send(self, envelope: bytes, api: str, role: str = "host") -> XmlResponse:
        return self.caller(role).send(envelope, api=api)

    # ------------------------------------------------------------ meetings and LstsummarySession

    @precondition(lambda self: len(self.names) < 3)
    @rule(target=meetings, n=st.integers(0, 99))
    @recorded
    def create_meeting(self, n: int) -> Ref:
        name = own_name(f"site machine {n}")
        got = self.xml("meeting", "CreateMeeting", meeting_body(name)).expect_success()
        ref = self.new_ref("meeting", got.text("meet:meetingkey") or "")
        self.names[ref.label] = name
        return ref

    @rule(meeting=consumes(meetings))
    @recorded
    def delete_meeting(self, meeting: Ref) -> None:
        if self.names.pop(meeting.label, None) is not None:
            self.xml("meeting", "DelMeeting", {"meetingKey": meeting.key}).expect_success()
            self.deleted.append(meeting.key)

    @precondition(lambda self: bool(self.names))
    @rule(meeting=meetings, anonymous=st.booleans())
    @recorded
    def session_summary(self, meeting: Ref, anonymous: bool) -> None:
        """LstsummarySession of one of the machine's meetings lists it alone; anonymously it is 000015."""
        who = "anonymous" if anonymous else "host"
        got = self.caller(who).call("ep", "LstsummarySession", {"sessionKey": meeting.key})
        self.expect_not_blocked(who, got, "LstsummarySession")
        if anonymous or meeting.label not in self.names:
            assert got.result == "FAILURE" and got.exception_id == "000015", (
                f"LstsummarySession of {meeting.label} ({'anonymous' if anonymous else 'deleted'}): {got.describe()}"
            )
            return
        assert got.ok, f"LstsummarySession of {meeting.label}: {got.describe()}"
        assert got.texts("ep:session/ep:sessionKey") == [meeting.key], got.texts("ep:session/ep:sessionKey")
        assert got.texts("ep:session/ep:confName") == [self.names[meeting.label]]

    @precondition(lambda self: bool(self.names))
    @rule(meeting=meetings)
    @recorded
    def session_info(self, meeting: Ref) -> None:
        """GetSessionInfo of a live meeting, by its host: the meeting (403 while the host is blocked)."""
        if meeting.label not in self.names:
            return
        got = self.xml("ep", "GetSessionInfo", {"sessionKey": meeting.key})
        if not self.expect_limited("host", got, f"GetSessionInfo of {meeting.label}"):
            assert got.ok, f"GetSessionInfo of {meeting.label}: {got.describe()}"
            assert got.text("ep:metaData/ep:confName") == self.names[meeting.label], got.describe()

    @precondition(lambda self: self.site.is_emulator and bool(self.deleted))
    @rule(which=st.integers(0, 9))
    @recorded
    def deleted_session_info(self, which: int) -> None:
        """GetSessionInfo of a meeting the machine deleted: a no-data FAILURE (emulator only: on a
        real site it would count toward the usage limit)."""
        key = self.deleted[which % len(self.deleted)]
        got = self.xml("ep", "GetSessionInfo", {"sessionKey": key})
        assert got.result == "FAILURE" and got.exception_id in NO_DATA_EXCEPTIONS, (
            f"GetSessionInfo of the deleted meeting {key}: {got.describe()}"
        )
        self.usage["host"].fail(self.now, self.limit)

    def clean_up(self) -> None:
        for label in list(self.names):
            self.xml("meeting", "DelMeeting", {"meetingKey": self.refs[label].key})


class UsageLimitMachine(SiteCallers):
    """The GetSessionInfo / GetUserCard usage limit (emulator only): no-data lookups, the callers' own
    cards, other APIs and the site clock, against a model of each caller's hour and block."""

    examples = 12
    steps_per_example = 10

    @initialize(limit=st.integers(2, 3))
    @recorded
    def configure(self, limit: int) -> None:
        """A low usage limit on the machine's fresh emulator site."""
        self.site.control.set_settings(self.site.name, usage_limit_per_hour=limit)
        self.limit = limit

    @precondition(lambda self: self.site.is_emulator)
    @rule(minutes=st.sampled_from([61, 125, 35]))
    @recorded
    def advance_clock(self, minutes: int) -> None:
        self.move_clock(minutes)

    def move_clock(self, minutes: int) -> None:
        """Move the site clock (further by five minutes at a time while it would end up next to the
        end of a caller's hour or block, where a few seconds of real time would decide)."""
        seconds = minutes * 60.0
        while self._near_an_edge(self.now + seconds):
            seconds += 300.0
        self.site.advance_clock(seconds)
        self.now += seconds

    def _near_an_edge(self, when: float) -> bool:
        edges = [t + WINDOW for u in self.usage.values() for t in u.failures]
        edges += [u.blocked_until for u in self.usage.values() if u.blocked_until is not None]
        return any(abs(when - edge) < MARGIN for edge in edges)

    # ------------------------------------------------------------ the usage limit

    @precondition(lambda self: self.site.is_emulator)
    @rule(
        who=st.sampled_from(LOOKERS),
        card=st.booleans(),
        times=st.integers(1, 2),
        other=st.sampled_from(sorted(OTHER_APIS)),
        then=st.sampled_from([0, 125, 61, 35]),
    )
    @recorded
    def no_data(self, who: str, card: bool, times: int, other: str, then: int) -> None:
        """A caller's visit: ``times`` GetSessionInfo of a key no meeting has or, as a user,
        GetUserCard of nobody — each a no-data FAILURE until the caller's hour reaches the limit, then
        403 — then a user's own card (403 while blocked), another API (never 403), and ``then``
        minutes pass on the site clock."""
        for _ in range(times):
            if card and who != "anonymous":
                api, service, body = "GetUserCard", "user", {"webExId": f"wxh-nobody-{next(_UNKNOWN_KEYS)}"}
            else:
                api, service, body = "GetSessionInfo", "ep", {"sessionKey": str(next(_UNKNOWN_KEYS))}
            got = self.caller(who).call(service, api, body)
            if self.expect_limited(who, got, f"{api} of nothing"):
                continue
            assert got.result == "FAILURE" and got.exception_id in NO_DATA_EXCEPTIONS, (
                f"{api} of nothing as {who}: expected a no-data FAILURE, got {got.describe()}"
            )
            self.usage[who].fail(self.now, self.limit)
        if who != "anonymous":
            self.own_card_reads_back(who)
        self.other_api_answers(who, other)
        if then:
            self.move_clock(then)

    @rule(who=st.sampled_from(CALLERS[:2]))
    @recorded
    def own_card(self, who: str) -> None:
        """GetUserCard of the caller itself: its card, or 403 while the caller is blocked."""
        self.own_card_reads_back(who)

    @rule(who=st.sampled_from(CALLERS), api=st.sampled_from(sorted(OTHER_APIS)))
    @recorded
    def other_api(self, who: str, api: str) -> None:
        """Any other API answers a blocked caller as any other: an envelope, never 403."""
        self.other_api_answers(who, api)

    def other_api_answers(self, who: str, api: str) -> None:
        service, body = OTHER_APIS[api]
        self.expect_not_blocked(who, self.caller(who).call(service, api, body), api)


def test_site_apis_answer_the_sites_settings(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(SiteMachine)


def test_the_usage_limit_blocks_a_caller_s_two_apis_for_two_hours(run_stateful, target) -> None:  # type: ignore[no-untyped-def]
    if not target.is_emulator:
        pytest.skip(
            "reaches the usage limit on purpose: emulator only (on a real site it locks a user out for two hours)"
        )
    run_stateful(UsageLimitMachine)
