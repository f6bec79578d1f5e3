"""Teleconference-only sessions (``java:com.webex.service.binding.teleconference.*``).

Named in 001 (40.1.2: CreateTeleconferenceSession answers ``sessionPassword``; 40.10.0:
meetingUUID accepted and returned); the shapes follow the public XML API reference as
integrators use it, under the harness's ``tel`` prefix (webex.namespaces). GetTeleconferenceSession
also answers for a meeting's key (docs/wire.md R6: ``sessionKey`` carrying a meeting key).

Create/SetTeleconferenceSession are the life every session kind shares
(:mod:`emulator.services.session_kinds`); this module says what a teleconference's body and
answers hold.
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.model import Session
from webex_harness.emulator.services import common, session_kinds
from webex_harness.emulator.services.meeting import CREATE_RESPONSE_SHAPE
from webex_harness.emulator.services.session_kinds import SessionKind
from webex_harness.emulator.xmlio import Elements, Node

SECTIONS = ("metaData", "schedule", "telephony", "tracking", "repeat", "remind", "attendeeOptions")


def _apply(call: Call, session: Session, node: Node) -> None:
    common.apply_schedule(call, session, node)
    name = node.get("metaData/confName")
    if name is not None:
        session.name = name
    session_kinds.store_body(call, session, node, SECTIONS)


def _created(call: Call, session: Session) -> Elements:
    """``tel:sessionKey``, ``tel:meetingUUID``, ``tel:sessionPassword`` (001, 40.1.2) and ``tel:guestToken``."""
    return [
        ("tel:sessionKey", session.key),
        ("tel:meetingUUID", session.uuid),
        ("tel:sessionPassword", session.password),
        ("tel:guestToken", None if call.fault(CREATE_RESPONSE_SHAPE) else session.guest_token),
    ]


TELECONFERENCE = SessionKind(
    kind="teleconference",
    prefix="tel",
    apply=_apply,
    created=_created,
    create_api="CreateTeleconferenceSession",
    set_api="SetTeleconferenceSession",
)
session_kinds.register(TELECONFERENCE)


@handler("teleconference", "GetTeleconferenceSession")
def get_teleconference_session(call: Call) -> Elements:
    call.user()
    s = common.find_session(call, call.node, ("teleconference", "meeting"))
    f = s.fields
    return [
        session_kinds.access_control(call, TELECONFERENCE, s, listing=False, also_skip=("meetingPassword",)),
        (
            "tel:metaData",
            [
                ("tel:confName", s.name),
                *common.render_fields("tel", f.get("metaData", {}), skip=("confName", "meetingType")),
            ],
        ),
        session_kinds.schedule(call, TELECONFERENCE, s, stored=False),
        (
            "tel:telephony",
            [
                *common.render_fields("tel", f.get("telephony", {}), skip=("callInNum",)),
                ("tel:callInNum", [("serv:tollNum", "1-408-555-0100"), ("serv:tollFreeNum", "1-800-555-0100")]),
            ],
        ),
        *session_kinds.identity(TELECONFERENCE, s),
    ]
