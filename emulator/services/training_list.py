"""Training Center's list form: LstTrainingSession (deprecated by the guide in favour of
LstsummaryTrainingSession, which :mod:`emulator.services.training` serves, and still answered).

Where LstsummaryTrainingSession answers ``matchingRecords`` first and a summary record per session,
LstTrainingSession answers each session of the page whole — the Training Session schema's
``trainingSessionInstanceType``: the blocks of a CreateTrainingSession body as the session keeps
them (accessControl, schedule, metaData, the stored option sections, attendeeOptions), then its
``sessionKey`` and ``status`` — and ``matchingRecords`` last. The request's ``listControl``,
``order``, ``dateScope`` and ``sessionKey`` select and page as the Lstsummary APIs do
(:func:`emulator.services.common.listed_sessions`): a regular host lists his own sessions, a site
administrator everyone's; an empty page is 000015.

Behaviour: ``lst-training-session``.
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Session
from webex_harness.emulator.services import common, session_kinds
from webex_harness.emulator.services.training import TRAINING
from webex_harness.emulator.xmlio import Element, Elements

LST_TRAINING_SESSION = declare(
    "lst-training-session", "LstTrainingSession ignores dateScope (lists the caller's sessions of any date)"
)

#: Option sections a training session keeps as sent, in the schema's order (tracking in ``com``).
_SECTIONS = ("enableOptions", "telephony", "tracking", "repeat", "remind")


def _instance(call: Call, s: Session) -> list[Element]:
    f = s.fields
    return [
        session_kinds.access_control(call, TRAINING, s),
        session_kinds.schedule(call, TRAINING, s, ("startDate", "timeZone", "duration", "timeZoneID", "hostWebExID")),
        (
            "train:metaData",
            [
                ("train:confName", s.name),
                *common.render_fields("train", f.get("metaData", {}), skip=("confName",)),
            ],
        ),
        *[
            (f"train:{section}", common.render_fields("com" if section == "tracking" else "train", f[section]))
            for section in _SECTIONS
            if section in f
        ],
        ("train:attendeeOptions", common.render_fields("train", f.get("attendeeOptions", {}))),
        ("train:sessionKey", s.key),
        ("train:status", s.status),
    ]


@handler("training", "LstTrainingSession")
def lst_training_session(call: Call) -> Elements:
    """The page of the caller's training sessions, each whole, then ``matchingRecords``."""
    node = call.node
    if call.fault(LST_TRAINING_SESSION) and node.child("dateScope") is not None:
        caller = call.user()
        sessions = [
            s
            for s in call.site.sessions.values()
            if s.kind == "training" and (caller.site_admin or s.host.lower() == caller.webex_id.lower())
        ]
        sessions.sort(key=common.start_utc)
    else:
        sessions = common.listed_sessions(call, node, ("training",))
    chosen, start = common.page_of(call, node, sessions)
    return [
        *[("train:trainingSession", _instance(call, s)) for s in chosen],
        common.matching_records("train", len(sessions), len(chosen), start),
    ]
