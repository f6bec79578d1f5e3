"""Support Center's GetFeedbackInfo: what the customers of a support session said of it.

The request names the session by ``confID`` (the conference ID GetSessionInfo answers); a support
session the site still schedules or has in its history counts, anything else is 000015. The host of
the session and site administrators may read it; anyone else gets 000001. The answer is the Attendee
schema's ``feedbackSessionType`` (as public clients use it; the guide's getfeedbackinfo page could not
be read here): the session's ``confID``, one ``attendee`` per feedback form (its ``attendeeID`` and
the form's default fields — setup, easeOfUse, performance, comment — as the customer answered them),
then ``matchingRecords``. A session no customer gave feedback on answers no attendee and a total of 0.
The forms live in :class:`emulator.feedback_store.FeedbackLog` (``Site.feedback``).

Behaviour: ``support-feedback``.
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.services import common
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex.errors import access_denied, invalid_value, no_record_found

SUPPORT_FEEDBACK = declare(
    "support-feedback", "GetFeedbackInfo answers the feedback of another support session than the confID named"
)


def _host_of(call: Call, conf_id: str) -> str:
    """The host of the support session ``conf_id`` (scheduled or in the history), else 000015."""
    for s in call.site.sessions.values():
        if s.kind == "support" and s.conf_id == conf_id:
            return s.host
    for record in call.site.history:
        if record.kind == "support" and record.conf_id == conf_id:
            return record.host
    raise no_record_found()


@handler("attendee", "GetFeedbackInfo")
def get_feedback_info(call: Call) -> Elements:
    caller = call.user()
    conf_id = (call.node.get("confID") or "").strip()
    if not conf_id.isdigit():
        raise invalid_value("confID")
    host = _host_of(call, conf_id)
    if host.lower() != caller.webex_id.lower() and not caller.site_admin:
        raise access_denied()
    source = conf_id
    if call.fault(SUPPORT_FEEDBACK):
        source = next((c for c in call.site.feedback.conf_ids() if c != conf_id), conf_id)
    forms = call.site.feedback.of(source)
    attendees: list[Element] = [
        (
            "att:attendee",
            [
                ("att:attendeeID", form.attendee_id),
                ("att:feedbackFields", [("att:defaultFields", [(f"att:{k}", v) for k, v in form.answers])]),
            ],
        )
        for form in forms
    ]
    return [
        (
            "att:session",
            [
                ("att:confID", conf_id),
                *attendees,
                common.matching_records("att", len(forms), len(forms), 1),
            ],
        )
    ]
