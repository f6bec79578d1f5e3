"""One-Click meeting settings of the event-planner service: GetOneClickSettings,
SetupOneClickSettings and SetOneClickSettings over each user's
:class:`~emulator.model.OneClickSettings`.

Sources: the XML API reference pages getoneclicksettings, setuponeclicksettings and
setoneclicksettings (developer.cisco.com/docs/webex-xml-api-reference-guide/<name>) and the published
ep schema's types (getOneClickSettingsResponse, setupOneClickSettings, ocMetaDataType,
oneClickTelephonyType, oneClickTrackingCodeType) for the elements and their order.

- SetupOneClickSettings sets a user's One-Click settings as a whole: ``metaData`` (serviceType,
  sessionType, confName required; sessionPassword, listing, isInternal, sessionTemplate), tracking
  codes, telephony, enableOptions/voip and attendeeOptions/joinApproval. What it leaves out goes
  back to its default (behaviour ``one-click-settings``).
- SetOneClickSettings changes only the service type and the meeting type (``oneClickMetaData``) and
  keeps every other setting (behaviour ``one-click-set-service-type``).
- GetOneClickSettings answers the settings as stored (a user who never set them up: the defaults,
  the meeting named after the user).
- All three act on the caller, or on ``hostWebExID`` for a site administrator (another user: 000001;
  unknown: 030001). The service type must be one the user may host (000001) and the session type
  one of the site's meeting types (010001 sessionType).
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import OneClickSettings, User
from webex_harness.emulator.services import common, set_drops
from webex_harness.emulator.services.meetingtype import meeting_types
from webex_harness.emulator.services.site import handler, is_site_admin
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex.errors import access_denied, invalid_value, webex_error

ONE_CLICK_SETTINGS = declare(
    "one-click-settings", "GetOneClickSettings answers the defaults, whatever SetupOneClickSettings stored"
)
ONE_CLICK_SET = declare(
    "one-click-set-service-type", "SetOneClickSettings resets every other One-Click setting to its default"
)

SERVICE_TYPES = ("MeetingCenter", "EventCenter", "TrainingCenter", "SupportCenter")
TELEPHONY_SUPPORT = ("NONE", "CALLIN", "CALLBACK", "OTHER")
ENTRY_EXIT_TONES = ("NOTONE", "BEEP", "ANNOUNCENAME")
LISTINGS = ("PUBLIC", "PRIVATE", "UNLISTED")
TEMPLATE_TYPES = ("User", "Site", "Service")
#: how a tracking code is entered, as GetOneClickSettings names it
_INPUT_MODE = "Text"


def _subject(call: Call) -> User:
    """The user whose settings the request addresses: ``hostWebExID`` or the caller."""
    caller = call.user()
    named = (call.node.get("hostWebExID") or "").strip()
    if not named or named.lower() == caller.webex_id.lower():
        return caller
    user = call.site.user(named)
    if user is None:
        raise webex_error("030001")
    if not is_site_admin(call, caller):
        raise access_denied()
    return user


def defaults(user: User) -> OneClickSettings:
    """The One-Click settings of a user who never set them up."""
    name = user.display_name or " ".join(p for p in (user.first_name, user.last_name) if p) or user.webex_id
    return OneClickSettings(conf_name=f"{name}'s One-Click Meeting")


def settings_of(user: User) -> OneClickSettings:
    return user.one_click if user.one_click is not None else defaults(user)


def _choice(value: str | None, allowed: tuple[str, ...], element: str) -> str | None:
    if value is None:
        return None
    found = next((a for a in allowed if a.lower() == value.strip().lower()), None)
    if found is None:
        raise invalid_value(element)
    return found


def _bool(value: str | None, element: str) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text not in ("true", "false", "1", "0"):
        raise invalid_value(element)
    return text in ("true", "1")


def _service_and_type(call: Call, user: User, meta: Node, out: OneClickSettings, *, required: bool) -> None:
    """``serviceType`` and ``sessionType`` of ``meta`` into ``out`` (each checked)."""
    service = _choice(meta.get("serviceType"), SERVICE_TYPES, "serviceType")
    session_type = common.parse_int(meta.get("sessionType"), "sessionType")
    if required and (service is None or session_type is None):
        raise invalid_value("serviceType" if service is None else "sessionType")
    if service is not None and not user.supported_services.get(service[0].lower() + service[1:], False):
        raise access_denied()
    if session_type is not None and session_type not in {t.type_id for t in meeting_types(call.site)}:
        raise invalid_value("sessionType")
    if service is not None:
        out.service_type = service
    if session_type is not None:
        out.session_type = session_type


def _setup(call: Call, user: User) -> OneClickSettings:
    """SetupOneClickSettings' request read into a whole new settings record (all checked)."""
    node = call.node
    meta = node.child("metaData")
    if meta is None or not (meta.get("confName") or "").strip():
        raise invalid_value("confName")
    out = defaults(user)
    _service_and_type(call, user, meta, out, required=True)
    out.conf_name = (meta.get("confName") or "").strip()
    out.session_password = meta.get("sessionPassword") or ""
    out.listing = _choice(meta.get("listing"), LISTINGS, "listing") or out.listing
    out.is_internal = bool(_bool(meta.get("isInternal"), "isInternal"))
    template = meta.child("sessionTemplate")
    if template is not None:
        kind = _choice(template.get("type"), TEMPLATE_TYPES, "type") or "User"
        out.template = (template.get("name") or "", kind, template.get("value") or "")
    for code in node.findall("tracking/trackingCode"):
        index = common.parse_int(code.get("index"), "index")
        if index is None or not 1 <= index <= 10:
            raise invalid_value("index")
        out.tracking_codes[index] = code.get("value") or ""
    phone = node.child("telephony")
    if phone is not None:
        out.telephony_support = _choice(phone.get("telephonySupport"), TELEPHONY_SUPPORT, "telephonySupport") or "NONE"
        out.ext_telephony_description = phone.get("extTelephonyDescription") or ""
        out.tsp_account_index = common.parse_int(phone.get("tspAccountIndex"), "tspAccountIndex")
        out.personal_account_index = common.parse_int(phone.get("personalAccountIndex"), "personalAccountIndex")
        out.intl_local_call_in = bool(_bool(phone.get("intlLocalCallIn"), "intlLocalCallIn"))
        out.tollfree = bool(_bool(phone.get("tollfree"), "tollfree"))
        out.entry_exit_tone = _choice(phone.get("entryExitTone"), ENTRY_EXIT_TONES, "entryExitTone") or "BEEP"
        out.is_mp_audio = bool(_bool(phone.get("isMPAudio"), "isMPAudio"))
    out.voip = bool(_bool(node.get("enableOptions/voip"), "voip"))
    out.join_approval = bool(_bool(node.get("attendeeOptions/joinApproval"), "joinApproval"))
    return out


def one_click_answer(settings: OneClickSettings) -> Elements:
    """GetOneClickSettings' answer: metaData, trackingCodes, telephony, enableOptions,
    attendeeOptions, in the schema's order."""
    meta: list[Element] = [
        ("ep:serviceType", settings.service_type),
        ("ep:sessionType", settings.session_type),
        ("ep:confName", settings.conf_name),
        ("ep:sessionPassword", settings.session_password or None),
        ("ep:listing", settings.listing),
        ("ep:isInternal", settings.is_internal),
    ]
    if settings.template is not None:
        name, kind, value = settings.template
        meta.append(("ep:sessionTemplate", [("ep:name", name), ("ep:type", kind), ("ep:value", value)]))
    codes: list[Element] = [
        (
            "ep:trackingCode",
            [("ep:index", i), ("ep:name", f"Tracking code {i}"), ("ep:inputMode", _INPUT_MODE), ("ep:value", v)],
        )
        for i, v in sorted(settings.tracking_codes.items())
    ]
    phone: list[Element] = [
        ("ep:telephonySupport", settings.telephony_support),
        ("ep:extTelephonyDescription", settings.ext_telephony_description or None),
        ("ep:tspAccountIndex", settings.tsp_account_index),
        ("ep:personalAccountIndex", settings.personal_account_index),
        ("ep:intlLocalCallIn", settings.intl_local_call_in),
        ("ep:tollfree", settings.tollfree),
        ("ep:entryExitTone", settings.entry_exit_tone),
        ("ep:isMPAudio", settings.is_mp_audio),
    ]
    return [
        ("ep:metaData", meta),
        ("ep:trackingCodes", codes or None),
        ("ep:telephony", phone),
        ("ep:enableOptions", [("ep:voip", settings.voip)]),
        ("ep:attendeeOptions", [("ep:joinApproval", settings.join_approval)]),
    ]


@handler("ep", "GetOneClickSettings", "ep:getOneClickSettingsResponse")
def get_one_click_settings(call: Call) -> Elements:
    """Behaviour ``one-click-settings``: the user's One-Click settings as stored."""
    user = _subject(call)
    settings = defaults(user) if call.fault(ONE_CLICK_SETTINGS) else settings_of(user)
    return one_click_answer(settings)


@handler("ep", "SetupOneClickSettings", "ep:setupOneClickSettingsResponse")
def setup_one_click_settings(call: Call) -> Elements:
    """Behaviour ``one-click-settings``: the request becomes the user's whole One-Click settings."""
    call = set_drops.honoured(call)
    user = _subject(call)
    user.one_click = _setup(call, user)
    return []


@handler("ep", "SetOneClickSettings", "ep:setOneClickSettingsResponse")
def set_one_click_settings(call: Call) -> Elements:
    """Behaviour ``one-click-set-service-type``: only the service type and the meeting type change."""
    user = _subject(call)
    meta = call.node.child("oneClickMetaData")
    if meta is None:
        raise invalid_value("oneClickMetaData")
    settings = defaults(user) if call.fault(ONE_CLICK_SET) else settings_of(user)
    kept = settings.session_type
    _service_and_type(call, user, meta, settings, required=True)
    if set_drops.drops(call):  # required, so checked as sent, then not kept (set-one-click-settings-read-back)
        settings.session_type = kept
    user.one_click = settings
    return []
