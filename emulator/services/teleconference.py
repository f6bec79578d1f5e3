"""Teleconference-only sessions (``java:com.webex.service.binding.teleconference.*``).

Named in 001 (40.1.2: CreateTeleconferenceSession answers ``sessionPassword``; 40.10.0:
meetingUUID accepted and returned); the shapes follow the public XML API reference as
integrators use it, under the harness's ``tel`` prefix (webex.namespaces). GetTeleconferenceSession
also answers for a meeting's key (docs/wire.md R6: ``sessionKey`` carrying a meeting key).
"""

from __future__ import annotations

from emulator.dispatch import Call, handler
from emulator.model import Session
from emulator.services import common
from emulator.services.meeting import CREATE_RESPONSE_SHAPE, audio_elements, host_key
from emulator.xmlio import Elements, Node
from webex import timezones

KIND = ("teleconference",)
SECTIONS = ("metaData", "schedule", "telephony", "tracking", "repeat", "remind", "attendeeOptions")


def _apply(call: Call, session: Session, node: Node) -> None:
    common.apply_schedule(call, session, node)
    name = node.get("metaData/confName")
    if name is not None:
        session.name = name
    common.store_sections(call, session, node, ("accessControl",), skip=("sessionPassword",))
    common.store_sections(call, session, node, SECTIONS)


@handler("teleconference", "CreateTeleconferenceSession")
def create_teleconference_session(call: Call) -> Elements:
    """``tel:sessionKey``, ``tel:meetingUUID``, ``tel:sessionPassword`` (001, 40.1.2) and ``tel:guestToken``."""
    host = call.user()
    session = common.new_session(call, "teleconference", host, call.node)
    _apply(call, session, call.node)
    session.password = common.password_for_create(call, call.node.get("accessControl/sessionPassword"))
    call.site.add_session(session)
    return [
        ("tel:sessionKey", session.key),
        ("tel:meetingUUID", session.uuid),
        ("tel:sessionPassword", session.password),
        ("tel:guestToken", None if call.fault(CREATE_RESPONSE_SHAPE) else session.guest_token),
    ]


@handler("teleconference", "SetTeleconferenceSession")
def set_teleconference_session(call: Call) -> Elements:
    session = common.find_session(call, call.node, KIND)
    common.require_owner(call, session)
    _apply(call, session, call.node)
    password = call.node.get("accessControl/sessionPassword")
    if password:
        session.password = password
    return [("tel:meetingUUID", session.uuid)]


@handler("teleconference", "GetTeleconferenceSession")
def get_teleconference_session(call: Call) -> Elements:
    call.user()
    s = common.find_session(call, call.node, ("teleconference", "meeting"))
    f = s.fields
    return [
        ("tel:accessControl", [
            ("tel:sessionPassword", s.password or ""),
            *audio_elements(call, "tel", s),
            *common.render_fields("tel", f.get("accessControl", {}), skip=(
                "sessionPassword", "meetingPassword", "audioPassword", "isEnforceAudioPassword",
                "isEnforceAudioLogin")),
        ]),
        ("tel:metaData", [
            ("tel:confName", s.name),
            *common.render_fields("tel", f.get("metaData", {}), skip=("confName", "meetingType")),
        ]),
        ("tel:schedule", [
            ("tel:startDate", common.format_date(s.start)),
            ("tel:duration", s.duration),
            ("tel:timeZoneID", s.time_zone_id),
            ("tel:timeZone", timezones.display_name(s.time_zone_id)),
            ("tel:hostWebExID", s.host),
        ]),
        ("tel:telephony", [
            *common.render_fields("tel", f.get("telephony", {}), skip=("callInNum",)),
            ("tel:callInNum", [("serv:tollNum", "1-408-555-0100"), ("serv:tollFreeNum", "1-800-555-0100")]),
        ]),
        ("tel:sessionKey", s.key),
        ("tel:meetingUUID", s.uuid),
        ("tel:status", s.status),
        ("tel:hostKey", host_key(s)),
    ]
