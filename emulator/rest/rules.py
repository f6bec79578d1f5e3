"""The documented rules of the REST meetings API (003 "Create a Meeting", "Update a Meeting",
"Delete a Meeting"), as functions on the site's store that raise
:class:`~emulator.rest.errors.RestError` (status + message) for anything refused.

Nothing here knows about HTTP: :mod:`emulator.rest.handlers` parses requests and calls
:func:`create`, :func:`update`, :func:`lookup` and :func:`delete` (the list queries are
:func:`emulator.rest.store.listing` and :func:`~emulator.rest.store.by_number`, registrants
:mod:`emulator.rest.registrants`). Each rule that a fault can break checks its fault here, where it
is honoured; the rules between fields live in :mod:`emulator.rest.options`.

Special meetings for ``rest-not-updatable``: Create with ``"adhoc": true`` and a ``roomId`` makes an
ad-hoc meeting; Create with ``"scheduledType": "personalRoomMeeting"`` a scheduled personal-room
meeting; a series or scheduled meeting being in progress or over (move the site clock with
``POST /_emulator/sites/{site}/clock``) cannot be updated either; nor can an instance.

Stands on :mod:`emulator.model` (the site, its users, passwords), :mod:`emulator.faults`,
:mod:`emulator.meeting_link` (a `meeting` series is also an XML meeting) and the
REST modules below it: errors, times, schema, recurrence, store, options.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from webex_harness.emulator import entropy, meeting_link
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site, digits, generate_password
from webex_harness.emulator.rest import recurrence
from webex_harness.emulator.rest.errors import RestError, bad
from webex_harness.emulator.rest.options import (
    apply_connect_audio,
    check_password,
    check_send_email,
    check_webinar_only,
)
from webex_harness.emulator.rest.recurrence import RecurrenceError
from webex_harness.emulator.rest.schema import (
    AGENDA_MAX,
    DEFAULT_OPACITY,
    ENUM_VALUES,
    JBH_CHOICES,
    MAX_DURATION,
    MIN_DURATION,
    OBJECTS,
    OPACITY_RANGE,
    SCHEDULED_TYPES,
    TAG_LENGTH_MAX,
    TAGS_MAX,
    TITLE_MAX,
    clean,
    defaults,
)
from webex_harness.emulator.rest.store import Exceptional, Series, Target, store, target_state
from webex_harness.emulator.rest.times import minute, parse_time, round_start, slot_key

PUT_EQUALS_PATCH = declare(
    "rest-put-equals-patch", "PUT replaces the meeting: every property the body leaves out is reset to its default"
)
TEXT_LIMITS = declare("rest-text-limits", "accepts titles over 128 characters and agendas over 1300")
TIME_WINDOW = declare(
    "rest-time-window",
    "skips the time window: a start in the past or a duration under 10 minutes or over 23 h 59 min is accepted",
)
START_ROUNDING = declare("rest-start-rounding", "keeps the seconds and milliseconds of start and end as sent")
RECURRENCE_CAPS = declare(
    "rest-recurrence-caps",
    "no caps: UNTIL beyond five years and COUNT beyond 5/60/261/1826 kept, every "
    "BYMONTHDAY/BYDAY value of a monthly or yearly rule kept",
)
JBH_MINUTES = declare(
    "rest-join-before-host-minutes", "accepts any joinBeforeHostMinutes, also without enabledJoinBeforeHost"
)
INTEGRATION_TAGS = declare("rest-integration-tags", "accepts more than 3 integration tags and tags over 64 characters")
WATERMARK = declare("rest-watermark-opacity", "accepts any visualWatermarkOpacity, also without enabledVisualWatermark")
NOT_UPDATABLE = declare(
    "rest-not-updatable", "updates ad-hoc meetings, personal-room meetings and in-progress or ended meetings"
)
EXCEPTIONS_CANCELLED = declare(
    "rest-series-exceptions-cancelled",
    "keeps exceptional scheduled meetings when a series' start, end or recurrence changes",
)
WEBINAR_LOGIN = declare(
    "rest-webinar-login-rules",
    "accepts restrictToInvitees without requireAttendeeLogin and changes requireAttendeeLogin after someone registered",
)
ENUMS = declare(
    "rest-enums",
    "accepts any string for unlockedMeetingJoinSecurity, noteType, audioConnectionType and entryAndExitTone",
)
PANELIST_PASSWORD = declare("rest-panelist-password", "a webinar created without panelistPassword gets none")


# ---------------------------------------------------------------- checks


def check_window(start: datetime, end: datetime, now: datetime) -> None:
    """Behaviour ``rest-time-window`` (003)."""
    if start < now:
        raise bad("start cannot be before current date and time.")
    if end < now:
        raise bad("end cannot be before current date and time.")
    if start > end:
        raise bad("start cannot be after end.")
    if end - start < MIN_DURATION:
        raise bad("Duration between start and end cannot be shorter than 10 minutes.")
    if end - start > MAX_DURATION:
        raise bad("Duration between start and end cannot be longer than 23 hours 59 minutes.")


def check_text(site: Site, fields: dict[str, Any], creating: bool) -> None:
    """Behaviour ``rest-text-limits``: title ≤ 128 characters, agenda ≤ 1300 (003)."""
    if "title" in fields and not fields["title"].strip():
        raise bad("title cannot be empty.")
    if creating and "title" not in fields:
        raise bad("title is required.")
    if site.fault(TEXT_LIMITS):
        return
    if len(fields.get("title", "")) > TITLE_MAX:
        raise bad(f"title can be a maximum of {TITLE_MAX} characters long.")
    if len(fields.get("agenda", "")) > AGENDA_MAX:
        raise bad(f"agenda can be a maximum of {AGENDA_MAX} characters long.")


def check_enums(site: Site, fields: dict[str, Any]) -> None:
    """Behaviour ``rest-enums``: only the documented values (003)."""
    if site.fault(ENUMS):
        return
    checks = [("unlockedMeetingJoinSecurity", fields.get("unlockedMeetingJoinSecurity"))]
    checks.append(("noteType", fields.get("meetingOptions", {}).get("noteType")))
    audio = fields.get("audioConnectionOptions", {})
    checks += [
        ("audioConnectionType", audio.get("audioConnectionType")),
        ("entryAndExitTone", audio.get("entryAndExitTone")),
    ]
    for name, value in checks:
        if value is not None and value not in ENUM_VALUES[name]:
            raise bad(f"Invalid value for {name}: {value!r}; valid values are {', '.join(ENUM_VALUES[name])}.")


def check_tags(site: Site, tags: list[str]) -> None:
    """Behaviour ``rest-integration-tags``: at most 3 tags of at most 64 characters (003)."""
    if site.fault(INTEGRATION_TAGS):
        return
    if len(tags) > TAGS_MAX:
        raise bad(f"The maximum size of integrationTags is {TAGS_MAX}.")
    for tag in tags:
        if len(tag) > TAG_LENGTH_MAX:
            raise bad(f"Each item of integrationTags can be a maximum of {TAG_LENGTH_MAX} characters long.")


def apply_jbh(site: Site, props: dict[str, Any], fields: dict[str, Any], scheduled_type: str) -> None:
    """Behaviour ``rest-join-before-host-minutes`` (003): valid options by type, default 0, only
    with ``enabledJoinBeforeHost``; switching join-before-host off resets the minutes to 0."""
    enabled = fields.get("enabledJoinBeforeHost", props.get("enabledJoinBeforeHost", False))
    if "joinBeforeHostMinutes" in fields:
        minutes = fields["joinBeforeHostMinutes"]
        if not site.fault(JBH_MINUTES):
            choices = JBH_CHOICES.get(scheduled_type, JBH_CHOICES["meeting"])
            if minutes not in choices:
                raise bad(
                    f"Invalid joinBeforeHostMinutes {minutes}: valid options for a {scheduled_type} are "
                    f"{', '.join(str(c) for c in choices)}."
                )
            if minutes and not enabled:
                raise bad("joinBeforeHostMinutes is only applicable if enabledJoinBeforeHost is true.")
        props["joinBeforeHostMinutes"] = minutes
    elif not enabled and not site.fault(JBH_MINUTES):
        props["joinBeforeHostMinutes"] = 0


def apply_watermark(site: Site, props: dict[str, Any], fields: dict[str, Any]) -> None:
    """Behaviour ``rest-watermark-opacity``: 5–80 inclusive, only with ``enabledVisualWatermark`` (003)."""
    enabled = fields.get("enabledVisualWatermark", props.get("enabledVisualWatermark", False))
    if "visualWatermarkOpacity" in fields:
        opacity = fields["visualWatermarkOpacity"]
        if not site.fault(WATERMARK):
            low, high = OPACITY_RANGE
            if not low <= opacity <= high:
                raise bad(f"visualWatermarkOpacity must be between {low} and {high}, inclusive.")
            if not enabled:
                raise bad("visualWatermarkOpacity is only supported when enabledVisualWatermark is true.")
        props["visualWatermarkOpacity"] = opacity
    elif enabled and props.get("visualWatermarkOpacity") is None:
        props["visualWatermarkOpacity"] = DEFAULT_OPACITY
    elif not enabled and not site.fault(WATERMARK):
        props["visualWatermarkOpacity"] = None


def check_webinar_login(site: Site, series: Series, props: dict[str, Any], fields: dict[str, Any]) -> None:
    """Behaviour ``rest-webinar-login-rules`` (003): ``restrictToInvitees`` cannot be true while
    ``requireAttendeeLogin`` is false; ``requireAttendeeLogin`` cannot be changed once someone
    registered for the webinar. Only webinars have these options."""
    if series.scheduled_type != "webinar" or site.fault(WEBINAR_LOGIN):
        return
    login = fields.get("requireAttendeeLogin", props.get("requireAttendeeLogin", False))
    restrict = fields.get("restrictToInvitees", props.get("restrictToInvitees", False))
    if restrict and not login:
        raise bad("restrictToInvitees cannot be set to true if requireAttendeeLogin is false.")
    if (
        "requireAttendeeLogin" in fields
        and fields["requireAttendeeLogin"] != props.get("requireAttendeeLogin")
        and series.registrants
    ):
        raise bad("requireAttendeeLogin cannot be set because someone has already registered for the webinar.")


def merge(props: dict[str, Any], fields: dict[str, Any]) -> None:
    """Apply checked fields onto stored properties (objects merged key by key)."""
    for name, value in fields.items():
        if name in OBJECTS or name == "registration":
            props[name] = {**props.get(name, {}), **value}
        elif name in (
            "start",
            "end",
            "timezone",
            "recurrence",
            "hostEmail",
            "roomId",
            "scheduledType",
            "adhoc",
            "siteUrl",
            "joinBeforeHostMinutes",
            "visualWatermarkOpacity",
        ):
            continue  # handled on their own
        else:
            props[name] = value
    options = props.get("meetingOptions", {})
    if options and not options.get("enabledNote", True):
        options["noteType"] = "allowAll"  # 003: enabledNote false → the default allowAll


def _password(site: Site, fields: dict[str, Any], current: str) -> str:
    sent: str | None = fields.get("password")  # a string: schema.clean checked its type
    if sent is None:
        return current or generate_password()
    if not sent.strip():
        if site.settings.password_required:
            raise bad("password cannot be empty: the site requires meeting passwords.")
        return ""
    check_password(site, "password", sent)
    return sent


def _field_checks(site: Site, body: dict[str, Any], fields: dict[str, Any], scheduled_type: str) -> None:
    """The rules of :mod:`emulator.rest.options` that need no stored state."""
    check_send_email(site, body)
    check_webinar_only(site, scheduled_type, fields)
    if fields.get("panelistPassword"):
        check_password(site, "panelistPassword", fields["panelistPassword"])


# ---------------------------------------------------------------- create


def _recurrence(site: Site, text: str, now: datetime) -> tuple[str, recurrence.Rule, datetime]:
    try:
        rule = recurrence.parse(text)
    except RecurrenceError as exc:
        raise bad(f"Invalid recurrence: {exc}") from None
    if not site.fault(RECURRENCE_CAPS):
        rule = recurrence.first_only(rule)
    return recurrence.text_of(rule), rule, now + recurrence.HORIZON


def _times(
    site: Site, fields: dict[str, Any], tz: tzinfo, now: datetime, current: tuple[datetime, datetime, bool] | None
) -> tuple[datetime, datetime, bool, bool]:
    """(start, end, zulu, changed): the submitted start/end rounded (``rest-start-rounding``) and
    checked (``rest-time-window``); unchanged values (an echoed meeting) are not re-checked."""
    if current is None and ("start" not in fields or "end" not in fields):
        raise bad("start and end are required.")
    zulu = current[2] if current else False
    start = current[0] if current else None
    end = current[1] if current else None
    if "start" in fields:
        start, zulu = parse_time("start", fields["start"], tz)
        if not site.fault(START_ROUNDING):
            start = round_start(start, now)
    if "end" in fields:
        end, end_zulu = parse_time("end", fields["end"], tz)
        zulu = zulu if "start" in fields else end_zulu
        if not site.fault(START_ROUNDING):
            end = minute(end)
    assert start is not None and end is not None
    changed = current is None or start != current[0] or end != current[1]
    if changed and not site.fault(TIME_WINDOW):
        check_window(start, end, now)
    return start, end, zulu, changed


def _timezone(fields: dict[str, Any], current: str) -> str:
    name = fields.get("timezone", current) or "UTC"
    if recurrence.zone(name, None) is UTC and name.upper() not in ("UTC", "GMT", "ETC/UTC", "Z"):
        raise bad(f"Invalid timezone {name!r}: use an IANA time zone such as America/New_York.")
    return name


def create(site: Site, body: dict[str, Any], now: datetime) -> Series:
    """Create a meeting series (also an ad-hoc or a personal-room meeting)."""
    fields = clean(body)
    scheduled_type = fields.get("scheduledType", "meeting")
    if scheduled_type not in SCHEDULED_TYPES:
        raise bad(
            f"Invalid value for scheduledType: {scheduled_type!r}; valid values are {', '.join(SCHEDULED_TYPES)}."
        )
    adhoc = bool(fields.get("adhoc"))
    if adhoc and not fields.get("roomId"):
        raise bad("roomId is required when adhoc is true.")
    if adhoc:
        fields.setdefault("start", (now + timedelta(minutes=1)).isoformat())
        fields.setdefault("end", (now + timedelta(minutes=31)).isoformat())
        fields.setdefault("title", "Ad-hoc meeting")
    check_text(site, fields, creating=True)
    check_enums(site, fields)
    _field_checks(site, body, fields, scheduled_type)
    timezone = _timezone(fields, "UTC")
    tz = recurrence.zone(timezone, UTC)
    start, end, zulu, _ = _times(site, fields, tz, now, None)
    props = defaults(scheduled_type)
    tags = fields.get("integrationTags", [])
    check_tags(site, tags)
    series = Series(
        id=entropy.uuid4_hex(),
        number=digits(10),
        host=meeting_link.host_for(site, fields.get("hostEmail")),
        scheduled_type=scheduled_type,
        start=start,
        end=end,
        zulu=zulu,
        timezone=timezone,
        props=props,
        capped=not site.fault(RECURRENCE_CAPS),
        adhoc=adhoc,
        room_id=fields.get("roomId") if adhoc else None,
        host_key=digits(6),
        pv_password=digits(8),
    )
    if "recurrence" in fields and fields["recurrence"].strip() and not adhoc:
        series.recurrence, series.rule, series.horizon = _recurrence(site, fields["recurrence"], now)
    check_webinar_login(site, series, props, fields)
    apply_connect_audio(site, props, fields)
    apply_jbh(site, props, fields, scheduled_type)
    apply_watermark(site, props, fields)
    merge(props, fields)
    props["password"] = _password(site, fields, "")
    if scheduled_type == "webinar":
        series.pv_panelist_password = digits(8)
        if not props.get("panelistPassword") and not site.fault(PANELIST_PASSWORD):
            props["panelistPassword"] = generate_password()  # 003: generated when not specified
    store(site).put(series)
    meeting_link.series_created(site, series)
    return series


# ---------------------------------------------------------------- lookup


def lookup(site: Site, meeting_id: str, now: datetime) -> Target:
    """The meeting an id names, or 404."""
    found = store(site).find(meeting_id, now)
    if found is None:
        raise RestError(404, "Unable to find the meeting.", f"No meeting with id {meeting_id!r}.")
    return found


# ---------------------------------------------------------------- update


def _check_updatable(site: Site, target: Target, now: datetime) -> None:
    """Behaviour ``rest-not-updatable`` (003)."""
    if site.fault(NOT_UPDATABLE):
        return
    series = target.series
    if series.adhoc:
        raise bad("An ad-hoc meeting created with a roomId cannot be updated.")
    if series.scheduled_type == "personalRoomMeeting":
        raise bad("Updating a scheduled personal room meeting is not supported.")
    if target.kind == "meeting":
        raise bad("A meeting instance that is in progress or has ended cannot be updated.")
    state = target_state(target, now)
    if state in ("inProgress", "ready"):
        raise bad("A meeting that is in progress cannot be updated.")
    if state in ("ended", "expired"):
        raise bad("A meeting that has ended cannot be updated.")


def update(site: Site, target: Target, body: dict[str, Any], now: datetime, method: str) -> Target:
    """PATCH (and PUT, which behaves the same: ``rest-put-equals-patch``) a series or scheduled meeting."""
    _check_updatable(site, target, now)
    fields = clean(body)
    check_text(site, fields, creating=False)
    check_enums(site, fields)
    series = target.series
    _field_checks(site, body, fields, series.scheduled_type)
    if target.kind == "meetingSeries":
        _update_series(site, series, fields, now, replace=method == "PUT" and site.fault(PUT_EQUALS_PATCH))
        meeting_link.series_changed(site, series)
        return target
    assert target.slot is not None
    return _update_occurrence(site, target, fields, now)


def _update_series(site: Site, series: Series, fields: dict[str, Any], now: datetime, *, replace: bool) -> None:
    props = dict(series.props)
    if replace:  # the rest-put-equals-patch fault: PUT replaces, whatever the body leaves out is reset
        props = {
            **defaults(series.scheduled_type),
            "password": props.get("password", ""),
            "panelistPassword": props.get("panelistPassword", ""),
        }
    timezone = _timezone(fields, series.timezone)
    tz = recurrence.zone(timezone, series.start.tzinfo)
    start, end, zulu, moved = _times(site, fields, tz, now, (series.start, series.end, series.zulu))
    rule_text, rule, horizon = series.recurrence, series.rule, series.horizon
    if "recurrence" in fields and fields["recurrence"].strip():
        rule_text, rule, horizon = _recurrence(site, fields["recurrence"], now)
    recurrence_changed = rule_text != series.recurrence
    if "integrationTags" in fields:
        check_tags(site, fields["integrationTags"])
    check_webinar_login(site, series, props, fields)
    apply_connect_audio(site, props, fields)
    apply_jbh(site, props, fields, series.scheduled_type)
    apply_watermark(site, props, fields)
    merge(props, fields)
    props["password"] = _password(site, fields, props.get("password", ""))
    if series.scheduled_type == "webinar" and "panelistPassword" in fields and not fields["panelistPassword"]:
        props["panelistPassword"] = series.props.get("panelistPassword") or generate_password()
    # all checks passed: apply
    series.props = props
    series.timezone = timezone
    if moved:
        series.start, series.end, series.zulu = start, end, zulu
    if recurrence_changed:
        series.recurrence, series.rule, series.horizon = rule_text, rule, horizon
        series.capped = not site.fault(RECURRENCE_CAPS)
    if (moved or recurrence_changed) and not site.fault(EXCEPTIONS_CANCELLED):
        series.exceptions.clear()  # 003: exceptional scheduled meetings are cancelled


def _update_occurrence(site: Site, target: Target, fields: dict[str, Any], now: datetime) -> Target:
    series = target.series
    assert target.slot is not None
    key = slot_key(target.slot)
    current_start, current_end, _ = series.effective(target.slot)
    existing = series.exceptions.get(key)
    zulu = existing.zulu if existing else series.zulu
    start, end, zulu, _ = _times(site, fields, series.tz, now, (current_start, current_end, zulu))
    fields.pop("integrationTags", None)  # 003: not updatable for a scheduledMeeting (ignored)
    fields.pop("recurrence", None)  # applies only to a meeting series
    effective = {**series.props, **(existing.props if existing else {})}
    check_webinar_login(site, series, effective, fields)
    overrides = dict(existing.props) if existing else {}
    scratch = dict(effective)
    apply_connect_audio(site, scratch, fields)
    apply_jbh(site, scratch, fields, series.scheduled_type)
    apply_watermark(site, scratch, fields)
    merge(scratch, fields)
    if "password" in fields:
        scratch["password"] = _password(site, fields, effective.get("password", ""))
    for name, value in scratch.items():
        if value != series.props.get(name):
            overrides[name] = value
        else:  # back to the series' value: no longer exceptional (an older override must not win)
            overrides.pop(name, None)
    series.exceptions[key] = Exceptional(start, end, zulu, overrides)
    return target


# ---------------------------------------------------------------- delete


def delete(site: Site, target: Target) -> None:
    """DELETE a series (everything goes) or one scheduled meeting (that occurrence is cancelled)."""
    series = target.series
    if target.kind == "meetingSeries":
        store(site).delete(series.id)
        meeting_link.series_deleted(site, series)
        return
    if target.kind == "meeting":
        raise bad("A meeting instance cannot be deleted.")
    assert target.slot is not None
    key = slot_key(target.slot)
    series.exceptions.pop(key, None)
    series.cancelled.add(key)


__all__ = ["create", "delete", "lookup", "update"]
