"""One module per Webex service (the event-planner service's recordings and contacts in modules of
their own); importing this package registers every handler."""

from webex_harness.emulator.services import (  # noqa: F401
    attendee,
    contacts,
    ep,
    event,
    history,
    ims_tests,
    lib_tests,
    meeting,
    meetingtype,
    record_access,
    recordings,
    site,
    support,
    teleconference,
    training,
    user,
    user_login,
)
