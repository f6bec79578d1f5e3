"""DetectSessionByCallback of the event-planner service: which sessions called a telephone number
back during a few minutes.

Sources: the XML API reference's General Session Service table of contents (page
detectsessionbycallback, not readable here) and the XML API 10.0.0 SP7 release notes, which
introduced the API and state its rules: only a site administrator may ask (000001); the
``callbackNumber`` is all digits, country and area code included; the ``dataScopeGMT`` window
(``occurredDateStart`` to ``occurredDateEnd``, GMT) spans at most five minutes; the answer lists
each session found — none, one or several. The release notes show the response schema only as a
picture, so the emulator names each session's elements after the session service's own
(``ep:session``: meetingKey, confName, hostWebExID, serviceType, startTime, timeZoneID, then the
time of the callback, ``callbackTime``, GMT). A bad number or window is 010001 naming the element.

What is detected is the site's state: a callback is recorded when the service dials a number for a
session (the control API's ``sessions/{key}`` with ``"callback"``; :meth:`emulator.model.Site.record_callback`).
Behaviour ``detect-session-by-callback``.
"""

from __future__ import annotations

from datetime import timedelta

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Callback
from webex_harness.emulator.services import common
from webex_harness.emulator.services.ep import SERVICE_TYPES
from webex_harness.emulator.services.site import handler, is_site_admin
from webex_harness.emulator.xmlio import Elements
from webex_harness.webex.errors import access_denied, invalid_value

DETECT_BY_CALLBACK = declare(
    "detect-session-by-callback", "DetectSessionByCallback answers every session that called the number, at any time"
)

#: the widest window the release notes allow
MAX_WINDOW = timedelta(minutes=5)


def detected(call: Call) -> list[Callback]:
    """The callbacks to ``callbackNumber`` inside the request's window, oldest first (each session once)."""
    node = call.node
    if not is_site_admin(call, call.user()):
        raise access_denied()
    number = (node.get("callbackNumber") or "").strip()
    if not number.isdigit():
        raise invalid_value("callbackNumber")
    start = common.parse_date(node.get("dataScopeGMT/occurredDateStart"), "occurredDateStart")
    end = common.parse_date(node.get("dataScopeGMT/occurredDateEnd"), "occurredDateEnd")
    if start is None:
        raise invalid_value("occurredDateStart")
    if end is None or end < start or end - start > MAX_WINDOW:
        raise invalid_value("occurredDateEnd")
    anytime = call.fault(DETECT_BY_CALLBACK)
    seen: set[str] = set()
    found: list[Callback] = []
    for called in call.site.callbacks:
        if called.number != number or called.session_key in seen:
            continue
        if anytime or start <= called.time <= end:
            seen.add(called.session_key)
            found.append(called)
    return found


@handler("ep", "DetectSessionByCallback", "ep:detectSessionByCallbackResponse")
def detect_session_by_callback(call: Call) -> Elements:
    """Behaviour ``detect-session-by-callback``: one ``ep:session`` per session that called the
    number back inside the window (none: an empty answer)."""
    return [
        (
            "ep:session",
            [
                ("ep:meetingKey", c.session_key),
                ("ep:confName", c.conf_name),
                ("ep:hostWebExID", c.host),
                ("ep:serviceType", SERVICE_TYPES.get(c.kind, "MeetingCenter")),
                ("ep:startTime", common.format_date(c.start)),
                ("ep:timeZoneID", c.time_zone_id),
                ("ep:callbackTime", common.format_date(c.time)),
            ],
        )
        for c in detected(call)
    ]
