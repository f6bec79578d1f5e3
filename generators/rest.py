"""REST meetings bodies (``/v1/meetings``) per seed 003, "Update a Meeting", and their edge cases.

Limits and enums come from the ``rest:`` part of ``catalogue.yaml``. Times are relative to the
injected ``now`` (a naive ``now`` is read as UTC); time zones are IANA zones without daylight
saving time, so the offsets are exact without a time-zone database.

Valid bodies are of a meeting or of a webinar (``scheduled_type``): the webinar-only fields
(``enabledWebcastView``, ``panelistPassword``, ``requireAttendeeLogin``, ``restrictToInvitees``, and
``enabledPolling``/``enabledAudienceCallBack`` set true) only go into webinar bodies
(``rest-webinar-only-options``); ``enableConnectAudioBeforeHost`` is true only with join-before-host
(``rest-connect-audio-before-host``); passwords meet the site's complexity
(``rest-password-complexity``); ``sessionTypeId`` is the type's default session type; ``hostEmail``
is sent when the caller names the host (a real site only schedules for its own users).

Edge-case expectations assume the ``meetingId`` addresses an updatable meeting series of
``scheduledType: meeting`` (behaviour ``rest-not-updatable``: not ad hoc, not ended or in
progress, not a personal room).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from webex_harness.generators.catalogue import rest_catalogue
from webex_harness.generators.envelopes import faker_for
from webex_harness.generators.providers import webex_provider
from webex_harness.generators.rest_field_cases import case, coupling_cases, option_cases

__all__ = ["REST_TIME_ZONES", "iso", "rest_edge_cases", "valid_create_body", "valid_update_body"]

#: IANA zones without DST -> UTC offset in minutes (Asia/Shanghai is the 003 sample's).
REST_TIME_ZONES: dict[str, int] = {
    "UTC": 0,
    "Asia/Shanghai": 480,
    "Asia/Tokyo": 540,
    "Asia/Kolkata": 330,
    "Asia/Singapore": 480,
    "America/Phoenix": -420,
    "America/Bogota": -300,
    "Africa/Nairobi": 180,
}

_DURATIONS = (10, 15, 30, 45, 60, 90, 120, 180, 240, 480, 1439)
#: the session type a new meeting of each scheduledType gets (the emulator's defaults, 003's sample: 3)
_SESSION_TYPES = {"meeting": 3, "webinar": 9}
#: the share of generated create bodies that schedule a webinar
_WEBINAR_SHARE = 0.3


def _utc(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def iso(moment: datetime, zone: str, *, millis: bool = False) -> str:
    """``moment`` in ``zone`` as ISO 8601 with its offset (``2026-11-25T09:30:00+08:00``)."""
    local = _utc(moment).astimezone(timezone(timedelta(minutes=REST_TIME_ZONES[zone])))
    return local.isoformat(timespec="milliseconds" if millis else "seconds")


def _limits() -> dict[str, Any]:
    return dict(rest_catalogue().limits)


def _enums() -> dict[str, tuple[str, ...]]:
    return dict(rest_catalogue().enums)


def _body(
    seed: int, now: datetime, *, update: bool, scheduled_type: str | None, host_email: str | None
) -> dict[str, Any]:
    fake = faker_for(seed)
    webex = webex_provider(fake)
    rnd: random.Random = fake.random
    limits = _limits()
    enums = _enums()
    kind = scheduled_type or ("webinar" if rnd.random() < _WEBINAR_SHARE else "meeting")
    webinar = kind == "webinar"
    zone = rnd.choice(sorted(REST_TIME_ZONES))
    offset = timedelta(minutes=REST_TIME_ZONES[zone])
    local_now = _utc(now) + offset
    day = (local_now + timedelta(days=rnd.randint(1, 30))).date()
    start_local = datetime(day.year, day.month, day.day, rnd.randint(8, 19), rnd.choice((0, 15, 30, 45)))
    start = (start_local - offset).replace(tzinfo=UTC)
    end = start + timedelta(minutes=rnd.choice(_DURATIONS))
    jbh = rnd.random() < 0.5
    lock = rnd.random() < 0.5
    watermark = rnd.random() < 0.5
    body: dict[str, Any] = {
        "title": str(fake.catch_phrase())[: limits["title_max_length"]],
        "agenda": str(fake.paragraph(nb_sentences=3))[: limits["agenda_max_length"]],
        "password": webex.webex_password(valid=True),
        "start": iso(start, zone),
        "end": iso(end, zone),
        "timezone": zone,
        "enabledAutoRecordMeeting": rnd.random() < 0.5,
        "allowAnyUserToBeCoHost": rnd.random() < 0.5,
        "enabledJoinBeforeHost": jbh,
        "enableConnectAudioBeforeHost": jbh and rnd.random() < 0.5,
        "joinBeforeHostMinutes": rnd.choice(limits[f"join_before_host_minutes_{kind}"]) if jbh else 0,
        "excludePassword": rnd.random() < 0.5,
        "publicMeeting": rnd.random() < 0.5,
        "reminderTime": rnd.choice((0, 5, 10, 15, 30, 60)),
        "unlockedMeetingJoinSecurity": rnd.choice(enums["unlockedMeetingJoinSecurity"]),
        "enableAutomaticLock": lock,
        "automaticLockMinutes": rnd.choice((5, 10, 15, 20)) if lock else 0,
        "allowFirstUserToBeCoHost": rnd.random() < 0.5,
        "allowAuthenticatedDevices": rnd.random() < 0.5,
        "sendEmail": rnd.random() < 0.5,
        "sessionTypeId": _SESSION_TYPES[kind],
        "meetingOptions": {
            "enabledChat": rnd.random() < 0.5,
            "enabledVideo": rnd.random() < 0.5,
            "enabledPolling": webinar and rnd.random() < 0.5,
            "enabledNote": True,
            "noteType": rnd.choice(enums["noteType"]),
            "enabledFileTransfer": rnd.random() < 0.5,
            "enabledUCFRichMedia": rnd.random() < 0.5,
        },
        "attendeePrivileges": {
            name: rnd.random() < 0.5
            for name in (
                "enabledShareContent",
                "enabledSaveDocument",
                "enabledPrintDocument",
                "enabledAnnotate",
                "enabledViewParticipantList",
                "enabledViewThumbnails",
                "enabledRemoteControl",
                "enabledViewAnyDocument",
                "enabledViewAnyPage",
                "enabledContactOperatorPrivately",
                "enabledChatHost",
                "enabledChatPresenter",
                "enabledChatOtherParticipants",
            )
        },
        "integrationTags": [webex.meeting_uuid() for _ in range(rnd.randint(0, limits["integration_tags_max_items"]))],
        "enabledBreakoutSessions": rnd.random() < 0.5,
        "enabledAudioWatermark": rnd.random() < 0.5,
        "enabledVisualWatermark": watermark,
        "audioConnectionOptions": {
            "audioConnectionType": rnd.choice(enums["audioConnectionType"]),
            "enabledTollFreeCallIn": rnd.random() < 0.5,
            "enabledGlobalCallIn": rnd.random() < 0.5,
            "enabledAudienceCallBack": webinar and rnd.random() < 0.5,
            "entryAndExitTone": rnd.choice(enums["entryAndExitTone"]),
            "allowHostToUnmuteParticipants": rnd.random() < 0.5,
            "allowAttendeeToUnmuteSelf": rnd.random() < 0.5,
            "muteAttendeeUponEntry": rnd.random() < 0.5,
        },
    }
    if watermark:
        low, high = limits["visual_watermark_opacity"]
        body["visualWatermarkOpacity"] = rnd.randint(low, high)
    if host_email:
        body["hostEmail"] = host_email
    if webinar:
        login = rnd.random() < 0.5
        del body["attendeePrivileges"]  # 003: not supported for a webinar
        body.update(
            {
                "enabledWebcastView": rnd.random() < 0.5,
                "panelistPassword": webex.webex_password(valid=True),
                "requireAttendeeLogin": login,
                "restrictToInvitees": login and rnd.random() < 0.5,
            }
        )
    if not update:
        body["scheduledType"] = kind
        if rnd.random() < 0.3:
            body["recurrence"] = f"FREQ=WEEKLY;INTERVAL=1;COUNT={rnd.randint(2, 10)}"
    if "recurrence" not in body:  # 003: registration does not apply to a recurring meeting
        body["registration"] = {
            "autoAcceptRequest": rnd.random() < 0.5,
            "requireJobTitle": rnd.random() < 0.5,
            "requireCompanyName": rnd.random() < 0.5,
            "maxRegisterNum": rnd.randint(1, limits["registration_max_register_num"]),
        }
    return body


def valid_create_body(
    seed: int, now: datetime, *, scheduled_type: str | None = None, host_email: str | None = None
) -> dict[str, Any]:
    """A valid ``POST /v1/meetings`` body (the 003 fields): of a meeting or a webinar
    (``scheduled_type``; random when None, a webinar about one time in three)."""
    return _body(seed, now, update=False, scheduled_type=scheduled_type, host_email=host_email)


def valid_update_body(
    seed: int, now: datetime, *, scheduled_type: str = "meeting", host_email: str | None = None
) -> dict[str, Any]:
    """A valid ``PATCH``/``PUT /v1/meetings/{meetingId}`` body, as the 003 request sample, for a
    meeting of ``scheduled_type`` (which an update cannot change)."""
    return _body(seed, now, update=True, scheduled_type=scheduled_type, host_email=host_email)


def rest_edge_cases(seed: int, now: datetime) -> list[dict[str, Any]]:
    """Edge cases of Update a Meeting: ``{id, method, body, expect_status, note, behaviour, source}``
    and, where 003 says what the response shows, ``expect_fields``. Every body is the valid update
    body of ``seed`` with one change."""
    limits = _limits()
    base = valid_update_body(seed, now)
    zone = base["timezone"]
    start = datetime.fromisoformat(base["start"]).astimezone(UTC)
    cases: list[dict[str, Any]] = []

    def with_(**changes: Any) -> dict[str, Any]:
        return {**base, **changes}

    def window(minutes: int, begin: datetime = start) -> dict[str, Any]:
        return with_(start=iso(begin, zone), end=iso(begin + timedelta(minutes=minutes), zone))

    title_max, agenda_max = limits["title_max_length"], limits["agenda_max_length"]
    cases += [
        case(
            "title-at-max", with_(title="T" * title_max), 200, f"title of {title_max} characters.", "rest-text-limits"
        ),
        case(
            f"title-{title_max + 1}",
            with_(title="T" * (title_max + 1)),
            400,
            f"title of {title_max + 1} characters.",
            "rest-text-limits",
        ),
        case(
            "agenda-at-max",
            with_(agenda="A" * agenda_max),
            200,
            f"agenda of {agenda_max} characters.",
            "rest-text-limits",
        ),
        case(
            f"agenda-{agenda_max + 1}",
            with_(agenda="A" * (agenda_max + 1)),
            400,
            f"agenda of {agenda_max + 1} characters.",
            "rest-text-limits",
        ),
    ]
    low, high = limits["duration_min_minutes"], limits["duration_max_minutes"]
    cases += [
        case(f"duration-{low}-min", window(low), 200, "Shortest allowed duration.", "rest-time-window"),
        case(f"duration-{low - 1}-min", window(low - 1), 400, "Shorter than 10 minutes.", "rest-time-window"),
        case("duration-23h59", window(high), 200, "Longest allowed duration (23 h 59 min).", "rest-time-window"),
        case("duration-24h", window(high + 1), 400, "Longer than 23 h 59 min.", "rest-time-window"),
        case("start-in-past", window(60, _utc(now) - timedelta(days=1)), 400, "start before now.", "rest-time-window"),
        case(
            "end-before-start",
            with_(end=iso(start - timedelta(minutes=30), zone)),
            400,
            "end before start.",
            "rest-time-window",
        ),
    ]
    # Rounding (003): start in the current minute -> the next minute; otherwise seconds stripped.
    utc_now = _utc(now).replace(microsecond=0)
    same_minute = utc_now + timedelta(seconds=max(1, (59 - utc_now.second) // 2))
    next_minute = utc_now.replace(second=0) + timedelta(minutes=1)
    cases.append(
        case(
            "start-same-minute",
            with_(start=iso(same_minute, zone), end=iso(next_minute + timedelta(minutes=60), zone)),
            200,
            "start within the current minute is moved to the upcoming minute.",
            "rest-start-rounding",
            {"start": iso(next_minute, zone), "end": iso(next_minute + timedelta(minutes=60), zone)},
        )
    )
    odd = start + timedelta(seconds=41, milliseconds=76)
    cases.append(
        case(
            "start-seconds-stripped",
            with_(start=iso(odd, zone, millis=True), end=iso(odd + timedelta(minutes=60), zone, millis=True)),
            200,
            "start and end lose their seconds and milliseconds.",
            "rest-start-rounding",
            {"start": iso(start, zone), "end": iso(start + timedelta(minutes=60), zone)},
        )
    )
    meeting_minutes = limits["join_before_host_minutes_meeting"]
    cases += [
        case(
            f"jbh-minutes-{meeting_minutes[-1]}",
            with_(enabledJoinBeforeHost=True, joinBeforeHostMinutes=meeting_minutes[-1]),
            200,
            "Largest joinBeforeHostMinutes for a meeting.",
            "rest-join-before-host-minutes",
        ),
        case(
            "jbh-minutes-7",
            with_(enabledJoinBeforeHost=True, joinBeforeHostMinutes=7),
            400,
            "Not one of 0, 5, 10, 15.",
            "rest-join-before-host-minutes",
        ),
        case(
            "jbh-minutes-30-meeting",
            with_(enabledJoinBeforeHost=True, joinBeforeHostMinutes=30),
            400,
            "30 is valid for a webinar only.",
            "rest-join-before-host-minutes",
        ),
    ]
    o_low, o_high = limits["visual_watermark_opacity"]
    cases += [
        case(
            f"watermark-opacity-{o_low}",
            with_(enabledVisualWatermark=True, visualWatermarkOpacity=o_low),
            200,
            "Lowest opacity.",
            "rest-watermark-opacity",
        ),
        case(
            f"watermark-opacity-{o_high}",
            with_(enabledVisualWatermark=True, visualWatermarkOpacity=o_high),
            200,
            "Highest opacity.",
            "rest-watermark-opacity",
        ),
        case(
            f"watermark-opacity-{o_low - 1}",
            with_(enabledVisualWatermark=True, visualWatermarkOpacity=o_low - 1),
            400,
            "Below 5.",
            "rest-watermark-opacity",
        ),
        case(
            f"watermark-opacity-{o_high + 1}",
            with_(enabledVisualWatermark=True, visualWatermarkOpacity=o_high + 1),
            400,
            "Above 80.",
            "rest-watermark-opacity",
        ),
    ]
    tags_max, tag_len = limits["integration_tags_max_items"], limits["integration_tag_max_length"]
    cases += [
        case(
            f"integration-tags-{tags_max}",
            with_(integrationTags=[f"tag-{i}" for i in range(tags_max)]),
            200,
            "The most tags allowed.",
            "rest-integration-tags",
        ),
        case(
            f"integration-tags-{tags_max + 1}",
            with_(integrationTags=[f"tag-{i}" for i in range(tags_max + 1)]),
            400,
            "One tag too many.",
            "rest-integration-tags",
        ),
        case(
            f"integration-tag-{tag_len + 1}-chars",
            with_(integrationTags=["t" * (tag_len + 1)]),
            400,
            "A tag one character too long.",
            "rest-integration-tags",
        ),
        case(
            "integration-tags-empty",
            with_(integrationTags=[]),
            200,
            "An empty list deletes every tag.",
            "rest-integration-tags",
            {"integrationTags": []},
        ),
    ]
    for field_name, nested in (
        ("unlockedMeetingJoinSecurity", None),
        ("noteType", "meetingOptions"),
        ("audioConnectionType", "audioConnectionOptions"),
        ("entryAndExitTone", "audioConnectionOptions"),
    ):
        if nested is None:
            body = with_(**{field_name: "notAValue"})
        else:
            body = with_(**{nested: {**base[nested], field_name: "notAValue"}})
        cases.append(
            case(f"invalid-enum-{field_name}", body, 400, f"{field_name} outside its documented values.", "rest-enums")
        )
    cases += [
        case(
            "recurrence-multiple-bymonthday",
            with_(recurrence="FREQ=MONTHLY;INTERVAL=1;COUNT=10;BYMONTHDAY=10,11,12"),
            200,
            "Only the first BYMONTHDAY is kept.",
            "rest-recurrence-caps",
            {"recurrence": "FREQ=MONTHLY;INTERVAL=1;COUNT=10;BYMONTHDAY=10"},
        ),
        case(
            "recurrence-never-ending",
            with_(recurrence="FREQ=DAILY;INTERVAL=1"),
            200,
            "A rule that never ends is accepted.",
            "rest-recurrence-caps",
        ),
        case(
            f"tracking-code-name-{limits['tracking_code_max_length'] + 1}",
            with_(trackingCodes=[{"name": "n" * (limits["tracking_code_max_length"] + 1), "value": "v"}]),
            400,
            "Tracking code name longer than 120 characters.",
            None,
        ),
        case(
            "unknown-fields-accepted",
            with_(notADocumentedField=True, meetingNumber="123456789"),
            200,
            "Unknown and read-only fields are accepted (clients echo whole meeting objects).",
            None,
            source="docs/wire.md J4",
        ),
    ]
    cases += coupling_cases(with_)
    cases += option_cases(with_, base)
    return cases
