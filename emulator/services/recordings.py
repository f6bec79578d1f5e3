"""Recordings of the event-planner service (``java:com.webex.service.binding.ep.*``): LstRecording,
GetRecordingInfo, SetRecordingInfo and DelRecording over the site's :class:`~emulator.model.Recording`
store.

GetRecordingInfo answers what the reference page getrecordinginfo and the published ep schema's
getRecordingInfoResponse show, in their order: ``basic`` (topic, listing, presenter, email, agenda,
description), ``playback`` (which panels a playback shows, its range) and ``fileAccess``
(registration, attendee view/download, the end-of-playback URL, the password when one is set) — all
from the recording's state, which SetRecordingInfo changes (behaviour ``recording-info``).
DelRecording removes the recording (behaviour ``del-recording``): afterwards LstRecording,
GetRecordingInfo, SetRecordingInfo, DelRecording and the history service's recording access reports
answer it as unknown (000015). Nobody but its host — or a site administrator — may read or delete a
recording (000001).

Both are named by the seeds without samples and follow the public XML API reference as
integrators use it. Every user of an emulated site has two archived recordings (deterministic
content, seeded on the user's first recording call), so both APIs have something to act on
against a fresh site; each seeded recording was viewed twice and downloaded once
(:data:`SEEDED_ACCESSES`) in the hours after it was made, so the history service's recording
access reports have something to list too. Stands on :mod:`emulator.model`, :mod:`emulator.services.common` and
:mod:`emulator.services.site` (paging, who is an administrator, the envelope-shape fault).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Recording, Site, User
from webex_harness.emulator.services import common, set_drops
from webex_harness.emulator.services.site import handler, is_site_admin, paged
from webex_harness.emulator.xmlio import Elements, Node
from webex_harness.webex.errors import access_denied, invalid_value, no_record_found

RECORDING_INFO = declare(
    "recording-info", "GetRecordingInfo answers the recording as it was made, ignoring SetRecordingInfo's changes"
)
DEL_RECORDING = declare("del-recording", "DelRecording answers SUCCESS but the recording stays")

#: seeded recordings per user (see :func:`seed_recordings`)
_SEEDED_RECORDINGS = 2
#: When the seeded recordings were made, from the start (00:00) of the day the site was created.
_SEEDED_RECORDING_OFFSETS = (timedelta(days=-7, hours=2), timedelta(days=-8, hours=22))
#: The accesses of each seeded recording: (name, email, minutes after the recording was made,
#: action, registered). A registered participant registered ten minutes before the first access.
SEEDED_ACCESSES: tuple[tuple[str, str, int, str, bool], ...] = (
    ("Ann Example", "ann.example@example.com", 30, "view", True),
    ("Bo Example", "bo.example@example.com", 60, "view", False),
    ("Ann Example", "ann.example@example.com", 90, "download", True),
)
#: SetRecordingInfo's plain text elements -> the :class:`Recording` attribute each changes
_TEXT_CHANGES = (
    ("recording/description", "description"),
    ("recording/password", "password"),
    ("basic/topic", "name"),
    ("basic/presenter", "presenter"),
    ("fileAccess/endPlayURL", "end_play_url"),
)
#: SetRecordingInfo's fileAccess flags -> the :class:`Recording` attribute each changes
_ACCESS_FLAGS = (
    ("registration", "registration"),
    ("attendeeView", "attendee_view"),
    ("attendeeDownload", "attendee_download"),
)
#: the playback panels, in the schema's recordingPlaybackType order (range sits between toc and
#: includeNBRcontrols)
_PANELS = ("chat", "supportQandA", "video", "polling", "notes", "fileShare", "attendeeList", "toc")


# ---------------------------------------------------------------- the store


def seed_recordings(site: Site, owner: User) -> None:
    """Give ``owner`` the two archived recordings every user of an emulated site has, once."""
    if owner.webex_id.lower() in site.recordings_seeded:
        return
    site.recordings_seeded.add(owner.webex_id.lower())
    # Both lie in the 12 hours every generated LstRecording window covers (createTimeStart 8–30 days
    # back, createTimeEnd 0–7 days back, each at 08:00–19:55: generators/catalogue.yaml), whatever
    # the time of day: recording 1 seven days back at 02:00, recording 2 eight days back at 22:00.
    day = datetime.combine(site.created_at.date(), datetime.min.time())
    for i in range(1, _SEEDED_RECORDINGS + 1):
        rid = site.next_id()
        digest = hashlib.sha256(f"{site.name}:{owner.webex_id}:{i}".encode()).hexdigest()
        site.recordings[rid] = Recording(
            recording_id=rid,
            host=owner.webex_id,
            name=f"{owner.webex_id} recording {i}",
            create_time=day + _SEEDED_RECORDING_OFFSETS[i - 1],
            size=round(1.5 * i, 2),
            duration=600 * i,
            session_key=str(int(digest[:8], 16) % 900_000_000 + 100_000_000),
            meeting_uuid=digest[:32],
            conf_id=str(int(digest[8:24], 16))[:18],
        )
        made = site.recordings[rid].create_time
        for name, email, minutes, action, registered in SEEDED_ACCESSES:
            site.recording_access.add(
                rid,
                name,
                email,
                made + timedelta(minutes=minutes),
                action,
                registered,
                made + timedelta(minutes=20) if registered else None,
            )


def recording_of(call: Call, recording_id: str | None) -> Recording:
    """The recording ``recording_id`` names: unknown 000015; someone else's 000001 (a site
    administrator may act on any)."""
    caller = call.user()
    seed_recordings(call.site, caller)
    record = call.site.recordings.get((recording_id or "").strip())
    if record is None:
        raise no_record_found()
    if record.host.lower() != caller.webex_id.lower() and not is_site_admin(call, caller):
        raise access_denied()
    return record


def listed_recordings(call: Call, node: Node) -> list[Recording]:
    """The caller's recordings (a site administrator sees every one), narrowed by ``hostWebExID``,
    ``sessionKey``/``meetingUUID`` and ``createTimeScope``, newest first."""
    caller = call.user()
    seed_recordings(call.site, caller)
    admin = is_site_admin(call, caller)
    records = [r for r in call.site.recordings.values() if admin or r.host.lower() == caller.webex_id.lower()]
    host = (node.get("hostWebExID") or "").strip().lower()
    if host:
        records = [r for r in records if r.host.lower() == host]
    key, uuid = common.key_and_uuid(call, node)
    if key or uuid:
        records = [
            r
            for r in records
            if (key and r.session_key == key.strip()) or (uuid and r.meeting_uuid == uuid.strip().lower())
        ]
    start = common.parse_date(node.get("createTimeScope/createTimeStart"), "createTimeStart")
    end = common.parse_date(node.get("createTimeScope/createTimeEnd"), "createTimeEnd")
    records = [
        r for r in records if (start is None or r.create_time >= start) and (end is None or r.create_time <= end)
    ]
    records.sort(key=lambda r: (r.create_time, int(r.recording_id)), reverse=True)
    return records


def change_recording(call: Call, record: Recording, node: Node) -> None:
    """SetRecordingInfo's changes, all checked before any is applied. The presenter e-mail follows
    ``email-no-whitespace`` (001, 40.8.0), the agenda ``unsafe-html-filtered``."""
    email = node.get("basic/email")
    new_email = None
    if email is not None:
        new_email = common.normalise_email(call, email) if email.strip() else ""
    listing = node.get("basic/listing")
    if listing is not None and listing.strip().upper() not in ("PUBLIC", "PRIVATE", "UNLISTED"):
        raise invalid_value("listing")
    agenda = node.get("basic/agenda")
    flags = {name: _flag(node.get(path), path) for path, name in _flag_paths() if node.get(path) is not None}
    span = node.get("playback/range")
    if span is not None and span.strip().upper() not in ("FULL", "PARTIAL"):
        raise invalid_value("range")
    start = common.parse_int(node.get("playback/partialStart"), "partialStart")
    end = common.parse_int(node.get("playback/partialEnd"), "partialEnd")
    if new_email is not None:
        record.email = new_email
    if listing is not None:
        record.listing = listing.strip().upper()
    for path, name in _TEXT_CHANGES:
        value = node.get(path)
        if value is not None:
            setattr(record, name, value)
    if agenda is not None:
        record.agenda = common.filter_html(call, agenda)
    for name, flag in flags.items():
        if name in record.playback:
            record.playback[name] = flag
        else:
            setattr(record, name, flag)
    if span is not None:
        record.playback_range = span.strip().upper()
    if start is not None:
        record.partial_start = start
    if end is not None:
        record.partial_end = end


def _flag_paths() -> list[tuple[str, str]]:
    """SetRecordingInfo's boolean elements: the playback panels and the file access flags."""
    panels = [(f"playback/{p}", p) for p in (*_PANELS, "includeNBRcontrols")]
    return panels + [(f"fileAccess/{p}", name) for p, name in _ACCESS_FLAGS]


def _flag(text: str | None, path: str) -> bool:
    value = (text or "").strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise invalid_value(path.rsplit("/", 1)[-1])
    return value in ("true", "1")


def recording_info(record: Recording) -> Elements:
    """GetRecordingInfo's answer for ``record``: basic, playback, fileAccess in the schema's order."""
    partial = record.playback_range == "PARTIAL"
    return [
        (
            "ep:basic",
            [
                ("ep:topic", record.name),
                ("ep:listing", record.listing),
                ("ep:presenter", record.presenter),
                ("ep:email", record.email),
                ("ep:agenda", record.agenda),
                ("ep:description", record.description),
            ],
        ),
        (
            "ep:playback",
            [
                *[(f"ep:{p}", record.playback[p]) for p in _PANELS],
                ("ep:range", record.playback_range),
                ("ep:partialStart", record.partial_start if partial else None),
                ("ep:partialEnd", record.partial_end if partial else None),
                ("ep:includeNBRcontrols", record.playback["includeNBRcontrols"]),
            ],
        ),
        (
            "ep:fileAccess",
            [
                ("ep:registration", record.registration),
                ("ep:attendeeView", record.attendee_view),
                ("ep:attendeeDownload", record.attendee_download),
                ("ep:endPlayURL", record.end_play_url),
                ("ep:password", record.password or None),
            ],
        ),
    ]


def _as_made(record: Recording) -> Recording:
    """The ``recording-info`` fault's view: the recording as seeding made it."""
    return Recording(
        recording_id=record.recording_id,
        host=record.host,
        name=record.name,
        create_time=record.create_time,
        size=record.size,
        duration=record.duration,
        session_key=record.session_key,
        meeting_uuid=record.meeting_uuid,
        conf_id=record.conf_id,
    )


# ---------------------------------------------------------------- handlers


@handler("ep", "LstRecording", "ep:lstRecordingResponse")
def lst_recording(call: Call) -> Elements:
    """The caller's recordings (a site administrator sees every one), narrowed by
    ``sessionKey``/``meetingUUID`` and ``createTimeScope``, newest first, paged."""
    records = listed_recordings(call, call.node)
    chosen, matching = paged(call, call.node, records, "ep")
    base = common.site_url(call)
    return [
        matching,
        *[
            (
                "ep:recording",
                [
                    ("ep:recordingID", r.recording_id),
                    ("ep:hostWebExID", r.host),
                    ("ep:name", r.name),
                    ("ep:description", r.description),
                    ("ep:createTime", common.format_date(r.create_time)),
                    ("ep:timeZoneID", r.time_zone_id),
                    ("ep:size", r.size),
                    ("ep:streamURL", f"{base}/{call.site.name}/ldr.php?RCID={r.recording_id}"),
                    ("ep:fileURL", f"{base}/{call.site.name}/lsr.php?RCID={r.recording_id}"),
                    ("ep:sessionKey", r.session_key),
                    ("ep:meetingUUID", r.meeting_uuid),
                    ("ep:recordingType", 0),
                    ("ep:duration", r.duration),
                    ("ep:format", "MP4"),
                    ("ep:serviceType", r.service_type),
                    ("ep:passwordReq", bool(r.password)),
                    ("ep:confID", r.conf_id),
                    ("ep:listing", r.listing),
                ],
            )
            for r in chosen
        ],
    ]


@handler("ep", "SetRecordingInfo", "ep:setRecordingInfoResponse")
def set_recording_info(call: Call) -> Elements:
    """Change a recording's description, password, topic, listing, presenter, e-mail, agenda."""
    call = set_drops.honoured(call)
    node = call.node
    record = recording_of(call, node.get("recording/recordingID") or node.get("recordingID"))
    change_recording(call, record, node)
    return [("ep:recordingID", record.recording_id)]


@handler("ep", "GetRecordingInfo", "ep:getRecordingInfoResponse")
def get_recording_info(call: Call) -> Elements:
    """Behaviour ``recording-info``: the recording ``recordingID`` names, as it is now."""
    record = recording_of(call, call.node.get("recordingID"))
    return recording_info(_as_made(record) if call.fault(RECORDING_INFO) else record)


@handler("ep", "DelRecording", "ep:delRecordingResponse")
def del_recording(call: Call) -> Elements:
    """Behaviour ``del-recording``: remove the recording ``recordingID`` names; answer its ID."""
    record = recording_of(call, call.node.get("recordingID"))
    if not call.fault(DEL_RECORDING):
        del call.site.recordings[record.recording_id]
    return [("ep:recordingID", record.recording_id)]
