"""User service (``java:com.webex.service.binding.user.*``)."""

from __future__ import annotations

from emulator.dispatch import Call, handler
from emulator.xmlio import Elements
from harness.errors import webex_error


@handler("user", "AuthenticateUser")
def authenticate_user(call: Call) -> Elements:
    """Exchange credentials for a session ticket (what real clients call first)."""
    user = call.caller
    if user is None:
        webex_id = call.node.get("webExID")
        if not webex_id:
            raise webex_error("030002")
        user = call.site.authenticate(webex_id, call.node.get("password"))
    ticket = call.site.issue_ticket(user)
    return [
        ("use:sessionTicket", ticket),
        ("use:createTime", int(call.now().timestamp() * 1000)),
        ("use:timeToLive", 5400),
    ]
