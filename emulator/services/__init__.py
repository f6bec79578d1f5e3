"""One module per Webex service; importing this package registers every handler."""

from emulator.services import (  # noqa: F401
    attendee,
    ep,
    event,
    history,
    meeting,
    meetingtype,
    site,
    support,
    teleconference,
    training,
    user,
)
