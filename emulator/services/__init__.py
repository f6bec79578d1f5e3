"""One module per Webex service; importing this package registers every handler."""

from emulator.services import attendee, ep, meeting, user  # noqa: F401
