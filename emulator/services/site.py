"""Site service (``java:com.webex.service.binding.site.*``): ``GetSite`` and ``LstTimeZone``; and
what the user, ep and history services share — who is an administrator, list paging, the
envelope-shape fault.

``GetSite`` answers under the ``ns1`` prefix with ``xsi:type="ns1:getSiteResponse"``, as the
samples of 001 (40.6.0, 40.10.0, 40.12.0) show; ``LstTimeZone`` the same way, one ``ns1:timeZone``
per zone (public XML API reference, page ``lsttimezone``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from webex_harness.emulator import dispatch
from webex_harness.emulator.dispatch import Call, Handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site, User
from webex_harness.emulator.services import common
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex import timezones
from webex_harness.webex.errors import invalid_value, no_record_found

T = TypeVar("T")

ENVELOPE_SHAPE = declare(
    "envelope-shape",
    "answers the user, site, ep and history services with their body elements "
    "under the com prefix instead of the service's own (use, ns1, ep, history)",
)
LIST_PAGING = declare(
    "list-paging",
    "ignores listControl/startFrom in the user, ep and history lists (always the "
    "first records) while echoing the requested startFrom in matchingRecords",
)
SITE_OPTIONS = declare(
    "site-options",
    "GetSite reports securityOptions/EnableMobileScreenCapture false whatever the "
    "site setting, and no site-level meetingTemplates",
)
SCHEDULED_PMR_LISTING = declare(
    "scheduled-pmr-listing",
    "ignores returnScheduledPMR (no isScheduledPMR) and GetSite reports SupportXMLAPIReturnScheduledPMR false",
)
TIME_ZONE_OFFSETS = declare(
    "time-zone-offsets",
    "LstTimeZone reports every zone at its standard offset whatever the request's date (no daylight saving)",
)

#: Site-level meeting templates, as in the GetSite sample of 001 (40.12.0) — spelling included.
DEFAULT_MEETING_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("MC Meeting Tempalte 1", "MeetingCenter"),
    ("EC Meeting Tempalte 2", "EventCenter"),
    ("TC Meeting Template 3", "TrainingCenter"),
)

# ---------------------------------------------------------------- who may do what


def lenient(site: Site) -> bool:
    """The default site accepting any credentials (``site.default`` and not ``strict_auth``)."""
    return site.default and not site.settings.strict_auth


def is_site_admin(call: Call, user: User | None) -> bool:
    """A site administrator — or anyone on the lenient default site, so any client works there."""
    return user is not None and (user.site_admin or lenient(call.site))


def is_user_admin(call: Call, user: User | None) -> bool:
    """May manage users: a site administrator or a User Management admin (``umSiteAdmin``, 001 40.6.0)."""
    return user is not None and (is_site_admin(call, user) or user.um_site_admin)


def meeting_types(site: Site) -> list[tuple[int, str]]:
    """(meetingTypeID, meetingTypeName) of the site: the meeting-type service's one list."""
    from webex_harness.emulator.services import meetingtype

    return [(t.type_id, t.prefix) for t in meetingtype.meeting_types(site)]


def meeting_templates(site: Site) -> list[tuple[str, str]]:
    """(meetingTemplateName, serviceType) of the site-level templates (001, 40.12.0)."""
    if site.meeting_templates is not None:
        return list(site.meeting_templates)
    return list(DEFAULT_MEETING_TEMPLATES)


# ---------------------------------------------------------------- paging (behaviour list-paging)


def paged(call: Call, node: Node, items: Sequence[T], prefix: str) -> tuple[list[T], Element]:
    """The page ``listControl`` (``startFrom`` 1-based, ``maximumNum``) selects, and its
    ``<prefix>:matchingRecords`` (total, returned, startFrom). An empty page is 000015.
    The ``list-paging`` fault always answers from the first record."""
    offset, maximum = common.page(call, node, len(items))
    begin = 0 if call.fault(LIST_PAGING) else offset
    chosen = list(items[begin : begin + maximum])
    if not chosen:
        raise no_record_found()
    return chosen, common.matching_records(prefix, len(items), len(chosen), offset + 1)


def descending(node: Node) -> bool:
    return (node.get("order/orderAD") or "ASC").strip().upper() == "DESC"


# ---------------------------------------------------------------- envelope-shape


def _reprefix(elements: Elements) -> list[Element]:
    out: list[Element] = []
    for tag, value in elements:
        local = tag.split(":", 1)[-1]
        new_tag = tag if tag.startswith("serv:") else f"com:{local}"
        out.append((new_tag, _reprefix(value) if isinstance(value, list) else value))
    return out


def handler(service: str, api: str, response_type: str | None = None) -> Callable[[Handler], Handler]:
    """:func:`emulator.dispatch.handler` for this helper's services, honouring the
    ``envelope-shape`` fault (body elements moved to the ``com`` prefix)."""

    def register(fn: Handler) -> Handler:
        def shaped(call: Call) -> Elements:
            elements = fn(call)
            return _reprefix(elements) if call.fault(ENVELOPE_SHAPE) else elements

        shaped.__name__ = fn.__name__
        shaped.__doc__ = fn.__doc__
        dispatch.handler(service, api, response_type)(shaped)
        return fn

    return register


# ---------------------------------------------------------------- GetSite


def _bool(value: Any) -> bool:
    return bool(value)


@handler("site", "GetSite", "ns1:getSiteResponse")
def get_site(call: Call) -> Elements:
    """Behaviours ``site-options`` and ``scheduled-pmr-listing`` (001, 40.6.0, 40.10.0, 40.12.0).

    ``siteInstance`` carries ``metaData/siteName``, ``siteCommonOptions/SupportXMLAPIReturnScheduledPMR``
    (site toggle, default off), ``securityOptions/EnableMobileScreenCapture``, one ``meetingTypes``
    per meeting type and the site-level ``meetingTemplates``. Where the seeds show "..." the
    elements follow the public XML API reference as integrators read them. Anonymous calls are
    answered (nothing in it is private); the site comes from ``siteName``/``siteID``.
    """
    site = call.site
    settings = site.settings
    broken = call.fault(SITE_OPTIONS)
    scheduled_pmr = settings.return_scheduled_pmr and not call.fault(SCHEDULED_PMR_LISTING)
    return [
        (
            "ns1:siteInstance",
            [
                (
                    "ns1:metaData",
                    [
                        ("ns1:isEnterprise", True),
                        ("ns1:serviceType", "Meeting Center"),
                        ("ns1:serviceType", "Event Center"),
                        ("ns1:serviceType", "Training Center"),
                        ("ns1:serviceType", "Support Center"),
                        ("ns1:siteName", site.name),
                        ("ns1:brandName", site.name),
                        ("ns1:region", "U.S."),
                        ("ns1:currency", "US Dollars"),
                        ("ns1:webDomain", "webex.com"),
                        ("ns1:meetingDomain", "webex.com"),
                        ("ns1:telephonyDomain", "webex.com"),
                        ("ns1:pageVersion", "T33L"),
                        ("ns1:clientVersion", "T33L"),
                        ("ns1:pageLanguage", "ENGLISH"),
                        ("ns1:activateStatus", True),
                        ("ns1:webPageType", "J2EE"),
                        ("ns1:iCalendar", True),
                        ("ns1:myWebExDefaultPage", "My Meetings"),
                        ("ns1:componentVersion", "cmp3300"),
                        ("ns1:siteID", site.site_id),
                    ],
                ),
                (
                    "ns1:supportAPI",
                    [
                        ("ns1:autoLogin", True),
                        ("ns1:aspAndPHPAPI", True),
                        ("ns1:backwardAPI", False),
                        ("ns1:xmlAPI", True),
                        ("ns1:cAPI", False),
                        ("ns1:scorm", True),
                    ],
                ),
                (
                    "ns1:siteCommonOptions",
                    [
                        ("ns1:SupportCustomDialRestriction", False),
                        ("ns1:SupportTelePresence", False),
                        ("ns1:SupportAlternateHost", True),
                        ("ns1:SupportXMLAPIReturnScheduledPMR", _bool(scheduled_pmr)),
                    ],
                ),
                (
                    "ns1:securityOptions",
                    [
                        ("ns1:passwordExpires", False),
                        ("ns1:passwordLifetime", 0),
                        ("ns1:allMeetingsUnlisted", False),
                        ("ns1:allMeetingsPassword", _bool(settings.password_required)),
                        ("ns1:joinBeforeHost", True),
                        ("ns1:audioBeforeHost", False),
                        ("ns1:changePersonalURL", True),
                        ("ns1:changeUserName", False),
                        ("ns1:EnableMobileScreenCapture", False if broken else _bool(settings.mobile_screen_capture)),
                    ],
                ),
                *[
                    ("ns1:meetingTypes", [("ns1:meetingTypeID", type_id), ("ns1:meetingTypeName", name)])
                    for type_id, name in meeting_types(site)
                ],
                (
                    "ns1:meetingTemplates",
                    None
                    if broken
                    else [
                        ("ns1:meetingTemplate", [("ns1:meetingTemplateName", name), ("ns1:serviceType", kind)])
                        for name, kind in meeting_templates(site)
                    ],
                ),
            ],
        ),
    ]


# ---------------------------------------------------------------- LstTimeZone


@handler("site", "LstTimeZone", "ns1:lstTimeZoneResponse")
def lst_time_zone(call: Call) -> Elements:
    """Behaviour ``time-zone-offsets`` (reference page ``lsttimezone``): the zones the request's
    ``timeZoneID`` elements name, in the order asked (none: all 62), each with its ``gmtOffset`` in
    minutes at the request's GMT ``date`` (default: the site clock), daylight saving included, and
    the description, labels and ``fallInDST`` at that instant. An unknown ID is ``timeZoneID``'s
    invalid value. Anonymous calls are answered (nothing in it is private)."""
    node = call.node
    wanted = [common.parse_int(n.text, "timeZoneID") for n in node.all("timeZoneID")]
    ids = [i for i in wanted if i is not None] or list(range(timezones.count()))
    if any(not timezones.valid_time_zone_id(i) for i in ids):
        raise invalid_value("timeZoneID")
    when = common.parse_date(node.get("date"), "date") or call.now()
    standard_only = call.fault(TIME_ZONE_OFFSETS)
    zones: list[Element] = []
    for tz in ids:
        dst = timezones.in_daylight_saving(tz, when) and not standard_only
        minutes = round(timezones.offset(tz).utcoffset(None).total_seconds() / 60) + (60 if dst else 0)
        zones.append(
            (
                "ns1:timeZone",
                [
                    ("ns1:timeZoneID", tz),
                    ("ns1:gmtOffset", minutes),
                    ("ns1:description", timezones.display_name(tz, minutes)),
                    ("ns1:shortName", timezones.daylight_label(tz) if dst else timezones.standard_label(tz)),
                    ("ns1:hideTimeZoneName", False),
                    ("ns1:fallInDST", dst),
                    ("ns1:standardLabel", timezones.standard_label(tz)),
                    ("ns1:daylightLabel", timezones.daylight_label(tz)),
                ],
            )
        )
    return zones
