"""GetUser's answer: every element the XML API reference's GetUser page shows, in its order, each
value from the user's state (:class:`emulator.model.User` and the profile elements
:mod:`emulator.services.user_fields` keeps), the site's meeting types and the site's clock.

Source: developer.cisco.com/docs/webex-xml-api-reference-guide/getuser (the response sample and the
element table) and the User service's element definitions page; ``displayName`` (40.11.0) and
``cmrHybridVoip`` (40.11.0) as the 001 release notes add them. ``hostPIN`` is not answered: it is a
credential of the user and the emulator keeps none.
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.model import User
from webex_harness.emulator.services import common, user_fields
from webex_harness.emulator.services.site import meeting_types
from webex_harness.emulator.services.user_fields import Field
from webex_harness.emulator.services.user_rules import LANGUAGES, SERVICES, display_name
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex import timezones


def pmr_url(call: Call, user: User) -> str:
    return f"{common.site_url(call)}/meet/{user.webex_id}"


def registered(call: Call, user: User) -> str:
    return common.format_date((user.registered_at or call.site.created_at).replace(tzinfo=None))


def kept(user: User, field: Field) -> str | bool:
    """A kept profile element's value (the reference's default while nothing was sent); booleans as bool."""
    value = str(user.fields.get(field.path, field.default))
    if field.kind == "bool":
        return value == "true"
    return value


def _group(user: User, fields: tuple[Field, ...], prefix: str = "use") -> list[Element]:
    return [(f"{prefix}:{f.path.rsplit('/', 1)[-1]}", kept(user, f)) for f in fields]


def _top(user: User, path: str) -> Element:
    return (f"use:{path}", kept(user, user_fields.BY_PATH[path]))


def privilege(user: User) -> list[Element]:
    """``use:privilege``: the model's privileges and the kept ones, in the reference's order."""
    extra = {f.path.rsplit("/", 1)[-1]: kept(user, f) for f in user_fields.PRIVILEGES}
    return [
        ("use:host", user.host),
        ("use:teleConfCallOut", extra["teleConfCallOut"]),
        ("use:teleConfCallOutInternational", extra["teleConfCallOutInternational"]),
        ("use:teleConfCallIn", extra["teleConfCallIn"]),
        ("use:teleConfTollFreeCallIn", extra["teleConfTollFreeCallIn"]),
        ("use:siteAdmin", user.site_admin),
        ("use:voiceOverIp", user.voice_over_ip),
        ("use:roSiteAdmin", extra["roSiteAdmin"]),
        ("use:labAdmin", user.lab_admin),
        ("use:otherTelephony", extra["otherTelephony"]),
        ("use:teleConfCallInInternational", extra["teleConfCallInInternational"]),
        ("use:attendeeOnly", extra["attendeeOnly"]),
        ("use:recordingEditor", extra["recordingEditor"]),
        ("use:meetingAssist", extra["meetingAssist"]),
        ("use:HQvideo", extra["HQvideo"]),
        ("use:allowExtAttendees", extra["allowExtAttendees"]),
        ("use:HDvideo", extra["HDvideo"]),
        ("use:isEnablePMR", user.pmr_enabled),
        ("use:umSiteAdmin", user.um_site_admin),
    ]


def time_zone_with_dst(tz_id: int) -> str:
    """``use:timeZoneWithDST``: the zone's name with its offset. The emulator keeps standard time
    (:mod:`webex.timezones`), so the offset is the standard one."""
    gmt, _, name = timezones.display_name(tz_id).partition(", ")
    return f"{name} ({gmt})"


def sip_url(call: Call, user: User) -> str:
    return f"{user.webex_id}@{call.site.name.lower()}.webex.com"


def get_user_elements(call: Call, user: User) -> Elements:
    """GetUser's ``use:`` elements for ``user``, in the reference page's order."""
    types = meeting_types(call.site)
    return [
        ("use:firstName", user.first_name),
        ("use:lastName", user.last_name),
        ("use:displayName", display_name(call, user)),
        _top(user, "title"),
        _top(user, "categoryId"),
        _top(user, "description"),
        _top(user, "company"),
        ("use:webExId", user.webex_id),
        ("use:address", _group(user, user_fields.ADDRESS, "com")),
        ("use:phones", _group(user, user_fields.PHONES)),
        ("use:email", user.email),
        _top(user, "email2"),
        _top(user, "personalUrl"),
        ("use:commOptions", _group(user, user_fields.COMM_OPTIONS)),
        ("use:meetingTypes", [("use:meetingType", type_id) for type_id, _ in types]),
        ("use:options", _group(user, user_fields.OPTIONS)),
        ("use:timeZoneID", user.time_zone_id),
        ("use:timeZone", timezones.display_name(user.time_zone_id)),
        ("use:timeZoneWithDST", time_zone_with_dst(user.time_zone_id)),
        ("use:tracking", _group(user, user_fields.TRACKING)),
        ("use:privilege", privilege(user)),
        ("use:language", LANGUAGES.get(user.language_id, "ENGLISH")),
        _top(user, "locale"),
        _top(user, "schedulingPermission"),
        ("use:active", "ACTIVATED" if user.active else "DEACTIVATED"),
        ("use:supportedServices", [(f"use:{name}", user.supported_services.get(name, True)) for name in SERVICES]),
        ("use:myWebEx", _group(user, user_fields.MY_WEBEX)),
        ("use:personalTeleconf", []),
        ("use:videoSystems", []),
        (
            "use:personalMeetingRoom",
            [
                ("use:welcomeMessage", kept(user, user_fields.PMR[0])),
                ("use:personalMeetingRoomURL", pmr_url(call, user)),
                ("use:accessCode", user.pmr_key),
                ("use:applyPMRForInstantMeeting", kept(user, user_fields.PMR[1])),
                ("use:sipURL", sip_url(call, user)),
                ("use:deviceCanStartMyPMR", user.device_can_start_pmr),
            ],
        ),
        (
            "use:sessionOptions",
            [
                ("use:defaultSessionType", types[0][0] if types else 0),
                *_group(user, user_fields.SESSION_OPTIONS),
            ],
        ),
        ("use:security", _group(user, user_fields.SECURITY)),
        ("use:languageID", user.language_id),
        ("use:webACDPrefs", _group(user, user_fields.WEB_ACD)),
        ("use:registrationDate", registered(call, user)),
        ("use:visitCount", user.visits),
        ("use:userId", user.user_id),
        ("use:passwordExpires", False),
        ("use:passwordDaysLeft", 0),
        ("use:cmrHybridVoip", user.cmr_hybrid_voip),
    ]
