"""The option sections of a Meeting Center meeting as GetMeeting answers them: which elements
``metaData``, ``enableOptions``, ``schedule`` and ``attendeeOptions`` hold, in the order of the
GetMeeting reference page (developer.cisco.com/docs/webex-xml-api-reference-guide/getmeeting) and of
real getMeetingResponse answers, and the value each takes when the Create/SetMeeting requests did not
set it.

Where the page says a value defaults to the meeting type's session template, the default here is the
one a real answer shows for the standard Meeting Center template. The settings that drive a flag
(the site's "record all sessions", E2EE, registration) are applied by :mod:`emulator.services.meeting`,
which declares the faults; this module is data and one ordered renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webex_harness.emulator.services import common
from webex_harness.emulator.xmlio import Element

#: ``enableOptions`` in answer order, each with its template default. The first 57 are the flags of a
#: real getMeetingResponse; networkBasedRecording and joinBeforeHost (named by the CreateMeeting page's
#: E2EE rule) and autoRecord (the GetMeeting page) follow.
ENABLE_OPTIONS: tuple[tuple[str, bool], ...] = (
    ("chat", True),
    ("poll", True),
    ("audioVideo", True),
    ("attendeeList", True),
    ("fileShare", True),
    ("presentation", True),
    ("applicationShare", True),
    ("desktopShare", True),
    ("webTour", True),
    ("meetingRecord", True),
    ("annotation", False),
    ("importDocument", False),
    ("saveDocument", False),
    ("printDocument", False),
    ("pointer", False),
    ("switchPage", False),
    ("fullScreen", False),
    ("thumbnail", False),
    ("zoom", False),
    ("copyPage", False),
    ("rcAppShare", True),
    ("rcDesktopShare", True),
    ("rcWebTour", True),
    ("javaClient", False),
    ("nativeClient", False),
    ("attendeeRecordMeeting", False),
    ("voip", True),
    ("faxIntoMeeting", False),
    ("enableReg", False),
    ("supportQandA", True),
    ("supportFeedback", True),
    ("supportBreakoutSessions", False),
    ("supportPanelists", True),
    ("supportRemoteComputer", False),
    ("supportShareWebContent", True),
    ("supportUCFWebPages", False),
    ("supportUCFRichMedia", False),
    ("autoDeleteAfterMeetingEnd", True),
    ("viewAnyDoc", False),
    ("viewAnyPage", False),
    ("allowContactPrivate", False),
    ("chatHost", False),
    ("chatPresenter", False),
    ("chatAllAttendees", False),
    ("multiVideo", False),
    ("notes", True),
    ("closedCaptions", False),
    ("singleNote", False),
    ("sendFeedback", False),
    ("displayQuickStartHost", True),
    ("displayQuickStartAttendees", False),
    ("supportE2E", False),
    ("supportPKI", False),
    ("HQvideo", True),
    ("HDvideo", True),
    ("viewVideoThumbs", True),
    ("networkBasedRecording", False),
    ("joinBeforeHost", False),
    ("autoRecord", False),
)

#: ``metaData`` after confName and meetingType (isPrivateMeeting, 40.12.0, comes last).
META_DATA: tuple[tuple[str, Any], ...] = (("agenda", ""), ("invitation", ""), ("isInternal", False))

#: ``schedule`` after startDate … hostWebExID (deviceCanStartMeeting, 40.10.0, comes last).
SCHEDULE: tuple[tuple[str, Any], ...] = (
    ("showFileStartMode", False),
    ("showFileContPlayFlag", False),
    ("showFileInterVal", 0),
    ("entryExitTone", 0),
    ("extNotifyTime", 0),
    ("joinTeleconfBeforeHost", False),
    ("firstAttendeeAsPresenter", False),
)

#: ``attendeeOptions`` before the locked-lobby elements (40.9.0).
ATTENDEE_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("request", False),
    ("registration", False),
    ("auto", False),
    ("participantLimit", 0),
    ("excludePassword", False),
    ("joinRequiresAccount", False),
)


def value_of(stored: Any, name: str, default: Any) -> Any:
    """What the requests stored for ``name`` (matched case-insensitively, as the service reads element
    names; a boolean in Webex's spelling), else ``default``."""
    value = None
    if isinstance(stored, dict):
        value = stored.get(name)
        if value is None:
            value = next((v for k, v in stored.items() if k.lower() == name.lower()), None)
    if value is None or isinstance(value, (dict, list)):
        return default
    if isinstance(default, bool):
        parsed = common.parse_bool(value, None)
        return default if parsed is None else parsed
    return value


def ordered(
    prefix: str,
    stored: Any,
    order: tuple[tuple[str, Any], ...],
    overrides: Mapping[str, Any] | None = None,
    skip: tuple[str, ...] = (),
) -> list[Element]:
    """Every element of ``order`` (stored value, else ``overrides``, else its default), then any other
    stored element the request sent (read back as sent), leaving out ``skip``."""
    overrides = overrides or {}
    out: list[Element] = []
    for name, default in order:
        if name in overrides:
            out.append((f"{prefix}:{name}", overrides[name]))
        else:
            out.append((f"{prefix}:{name}", value_of(stored, name, default)))
    known = {name.lower() for name, _ in order} | {s.lower() for s in skip}
    out += common.render_fields(prefix, stored, skip=tuple(known))
    return out


__all__ = ["ATTENDEE_OPTIONS", "ENABLE_OPTIONS", "META_DATA", "SCHEDULE", "ordered", "value_of"]
