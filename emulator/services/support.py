"""Support Center (``java:com.webex.service.binding.support.*``): CreateSupportSession.

Named in 001 (40.9.0: meetingUUID in the response); the shape follows the public XML API
reference as integrators use it, under the harness's ``sc`` prefix (webex.namespaces).
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.services import common
from webex_harness.emulator.xmlio import Elements


@handler("support", "CreateSupportSession")
def create_support_session(call: Call) -> Elements:
    """A support session starts now (or at ``schedule/startDate``); ``sc:sessionKey`` and ``sc:meetingUUID``."""
    host = call.user()
    session = common.new_session(call, "support", host, call.node)
    common.apply_schedule(call, session, call.node)
    session.name = call.node.get("metaData/confName") or f"{host.webex_id}'s support session"
    common.store_sections(call, session, call.node, ("metaData", "schedule", "enableOptions", "tracking"))
    call.site.add_session(session)
    return [("sc:sessionKey", session.key), ("sc:meetingUUID", session.uuid)]
