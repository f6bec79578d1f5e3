"""Date-times of the REST meetings API: parsing what a client sends, writing what the API answers.

Meeting ``start``/``end`` in a body (any ISO 8601 form; a naive one is in the meeting's time zone),
``from``/``to`` of a list request, the UTC text of answers, the 003 minute rounding, and the
original-start key (``YYYYMMDDTHHMMSSZ``) that names a scheduled meeting. Stands on
:mod:`emulator.rest.errors` alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from webex_harness.emulator.rest.errors import RestError, bad

#: the original-start part of a scheduled meeting's id
SLOT_FORMAT = "%Y%m%dT%H%M%SZ"


def parse_time(name: str, text: str, tz: tzinfo) -> tuple[datetime, bool]:
    """Any ISO 8601 date-time (``Z``, offsets, fractions); a naive one is in the meeting's time zone.

    Returns the aware value in its submitted offset and whether it was sent as ``Z``.
    """
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise bad(f"Invalid {name}: {text!r} is not an ISO 8601 date and time") from None
    if not 1971 <= value.year <= 9000:
        raise bad(f"Invalid {name}: {text!r} is out of range")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value, raw.upper().endswith("Z")


def parse_param_time(name: str, text: str | None) -> datetime | None:
    """A list request's ``from``/``to`` (None when absent or blank); a naive one is UTC."""
    if text is None or not text.strip():
        return None
    raw = text.strip().replace(" ", "+")  # an offset's + decoded as a space by a form encoder
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise RestError(400, f"Invalid {name}: {text!r} is not an ISO 8601 date and time.") from None
    if not 1971 <= value.year <= 9000:
        raise RestError(400, f"Invalid {name}: {text!r} is out of range.")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def render_time(value: datetime, zulu: bool) -> str:
    """``value`` as the API answers it: UTC with ``Z`` if it was sent so, else in its own offset."""
    if zulu:
        return utc_text(value)
    return value.isoformat(timespec="seconds")


def utc_text(value: datetime) -> str:
    """``value`` in UTC, ``YYYY-MM-DDTHH:MM:SSZ``: what ``strftime("%Y-%m-%dT%H:%M:%SZ")`` gives (the
    year unpadded, as glibc prints it), in a third of the time — a listing shows dozens."""
    t = value.astimezone(UTC)
    return "%d-%02d-%02dT%02d:%02d:%02dZ" % (t.year, t.month, t.day, t.hour, t.minute, t.second)  # noqa: UP031


def minute(value: datetime) -> datetime:
    """``value`` with its seconds and microseconds stripped."""
    return value.replace(second=0, microsecond=0)


def round_start(start: datetime, now: datetime) -> datetime:
    """003: a start within the current minute moves to the upcoming minute; else seconds stripped."""
    if minute(start.astimezone(UTC)) == minute(now.astimezone(UTC)):
        return (minute(now.astimezone(UTC)) + timedelta(minutes=1)).astimezone(start.tzinfo)
    return minute(start)


def slot_key(slot: datetime) -> str:
    """The id part naming the occurrence originally at ``slot``: its UTC start, ``YYYYMMDDTHHMMSSZ``
    (what ``strftime(SLOT_FORMAT)`` gives, faster: every occurrence listed has one)."""
    t = slot.astimezone(UTC)
    return "%d%02d%02dT%02d%02d%02dZ" % (t.year, t.month, t.day, t.hour, t.minute, t.second)  # noqa: UP031


def parse_slot(text: str) -> datetime | None:
    """The original start a :func:`slot_key` names, or None."""
    try:
        slot = datetime.strptime(text, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return slot if 1971 <= slot.year <= 9000 else None


__all__ = [
    "minute",
    "parse_param_time",
    "parse_slot",
    "parse_time",
    "render_time",
    "round_start",
    "slot_key",
    "utc_text",
]
