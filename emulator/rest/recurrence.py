"""RFC 2445 recurrence rules as the REST meetings API takes them (003, ``recurrence``).

Supported parts: ``FREQ`` (DAILY, WEEKLY, MONTHLY, YEARLY), ``INTERVAL``, ``COUNT``, ``UNTIL``,
``BYDAY`` (``MO``..``SU``, with an ordinal such as ``2TU`` or ``-1FR`` for monthly/yearly rules),
``BYMONTHDAY`` and ``BYMONTH``. Anything else is refused with a :class:`RecurrenceError`.

Behaviour ``rest-recurrence-caps`` (003): "Multiple days or dates for monthly or yearly recurrence
rule are not supported, only the first day or date specified is taken"; a rule that never ends is
accepted and unlimited; an ``UNTIL`` further than five years from now is capped there, and a rule
*with an ending* (``COUNT`` or ``UNTIL``) has at most 5 yearly, 60 monthly, 261 weekly or 1826 daily
occurrences (the counts of five years).

Occurrences are generated lazily (never-ending rules are unlimited), in the meeting's IANA time
zone when it is known (wall-clock times survive DST changes), else in the start's own offset.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Occurrence caps of a rule with an ending date (003).
CAPS: dict[str, int] = {"YEARLY": 5, "MONTHLY": 60, "WEEKLY": 261, "DAILY": 1826}
#: "the actual furthest date accepted for the recurring meeting is five years from now" (003).
HORIZON = timedelta(days=5 * 365 + 1)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_KNOWN = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST")
#: Safety net for rules that match nothing (BYMONTHDAY=30;BYMONTH=2): periods examined at most.
_MAX_STEPS = 100_000


class RecurrenceError(ValueError):
    """The recurrence text is not a rule this API takes (the message says why)."""


@dataclass(slots=True)
class Rule:
    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None
    byday: list[tuple[int, int]] = field(default_factory=list)  # (ordinal or 0, weekday 0=MO)
    bymonthday: list[int] = field(default_factory=list)
    bymonth: list[int] = field(default_factory=list)
    #: the parts as sent, in order (for the echoed, normalised text)
    parts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ends(self) -> bool:
        return self.count is not None or self.until is not None


def _int(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise RecurrenceError(f"recurrence {name}={text!r} is not a number") from None
    if not low <= value <= high:
        raise RecurrenceError(f"recurrence {name}={text!r} is out of range")
    return value


def _until(text: str) -> datetime:
    raw = text.strip().upper()
    for fmt in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise RecurrenceError(f"recurrence UNTIL={text!r} is not a date (YYYYMMDDTHHMMSSZ)")


def _byday(text: str) -> tuple[int, int]:
    item = text.strip().upper()
    day = item[-2:]
    if day not in WEEKDAYS:
        raise RecurrenceError(f"recurrence BYDAY value {text!r} is not a weekday (MO..SU)")
    ordinal = _int("BYDAY", item[:-2], -5, 5) if item[:-2] else 0
    if item[:-2] and ordinal == 0:
        raise RecurrenceError(f"recurrence BYDAY value {text!r} has a zero ordinal")
    return ordinal, WEEKDAYS.index(day)


def parse(text: str) -> Rule:
    """Parse ``FREQ=...;...`` (an optional ``RRULE:`` prefix is accepted)."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise RecurrenceError("recurrence is empty")
    parts: list[tuple[str, str]] = []
    for chunk in body.split(";"):
        if not chunk.strip():
            continue
        name, sep, value = chunk.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip():
            raise RecurrenceError(f"recurrence part {chunk!r} is not NAME=VALUE")
        if name not in _KNOWN:
            raise RecurrenceError(f"recurrence part {name} is not supported")
        parts.append((name, value.strip()))
    values = dict(parts)
    freq = values.get("FREQ", "").upper()
    if freq not in CAPS:
        raise RecurrenceError("recurrence FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    rule = Rule(freq=freq, parts=parts)
    if "INTERVAL" in values:
        rule.interval = _int("INTERVAL", values["INTERVAL"], 1, 999)
    if "COUNT" in values:
        rule.count = _int("COUNT", values["COUNT"], 1, 100_000)
    if "UNTIL" in values:
        rule.until = _until(values["UNTIL"])
    if rule.count is not None and rule.until is not None:
        raise RecurrenceError("recurrence cannot have both COUNT and UNTIL")
    if "BYDAY" in values:
        rule.byday = [_byday(v) for v in values["BYDAY"].split(",") if v.strip()]
    if "BYMONTHDAY" in values:
        rule.bymonthday = [_int("BYMONTHDAY", v, 1, 31) for v in values["BYMONTHDAY"].split(",") if v.strip()]
    if "BYMONTH" in values:
        rule.bymonth = [_int("BYMONTH", v, 1, 12) for v in values["BYMONTH"].split(",") if v.strip()]
    return rule


def first_only(rule: Rule) -> Rule:
    """003: several days or dates of a monthly or yearly rule → only the first is taken."""
    if rule.freq not in ("MONTHLY", "YEARLY"):
        return rule
    kept: list[tuple[str, str]] = []
    for name, value in rule.parts:
        if name in ("BYDAY", "BYMONTHDAY", "BYMONTH"):
            value = value.split(",")[0].strip()
        kept.append((name, value))
    rule.parts = kept
    rule.byday = rule.byday[:1]
    rule.bymonthday = rule.bymonthday[:1]
    rule.bymonth = rule.bymonth[:1]
    return rule


def text_of(rule: Rule) -> str:
    return ";".join(f"{name}={value.upper() if name != 'UNTIL' else value}" for name, value in rule.parts)


def zone(name: str | None, fallback: tzinfo | None) -> tzinfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return fallback or UTC


def _nth_weekday(year: int, month: int, ordinal: int, weekday: int) -> int | None:
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if calendar.weekday(year, month, d) == weekday]
    if ordinal == 0:
        ordinal = 1
    index = ordinal - 1 if ordinal > 0 else ordinal
    try:
        return days[index]
    except IndexError:
        return None


def _month_days(rule: Rule, year: int, month: int, default_day: int) -> list[int]:
    last = calendar.monthrange(year, month)[1]
    if rule.bymonthday:
        return sorted(d for d in rule.bymonthday if d <= last)
    if rule.byday:
        found = [_nth_weekday(year, month, o, w) for o, w in rule.byday]
        return sorted(d for d in found if d is not None)
    return [default_day] if default_day <= last else []


def _candidate_dates(rule: Rule, first: date) -> Iterator[date]:
    """Dates matching the rule from the period of ``first`` on (may precede ``first``); at most
    :data:`_MAX_STEPS` periods, and never past year 9999 (a rule that matches nothing ends)."""
    try:
        yield from _candidates(rule, first)
    except (OverflowError, ValueError):
        return


def _candidates(rule: Rule, first: date) -> Iterator[date]:
    step = rule.interval
    if rule.freq == "DAILY":
        day = first
        wanted = {w for _, w in rule.byday}
        for _ in range(_MAX_STEPS):
            if (not wanted or day.weekday() in wanted) and (not rule.bymonth or day.month in rule.bymonth):
                yield day
            day += timedelta(days=step)
    elif rule.freq == "WEEKLY":
        weekdays = sorted({w for _, w in rule.byday}) or [first.weekday()]
        monday = first - timedelta(days=first.weekday())
        for _ in range(_MAX_STEPS):
            for w in weekdays:
                yield monday + timedelta(days=w)
            monday += timedelta(weeks=step)
    elif rule.freq == "MONTHLY":
        year, month = first.year, first.month
        for _ in range(_MAX_STEPS):
            if not rule.bymonth or month in rule.bymonth:
                for d in _month_days(rule, year, month, first.day):
                    yield date(year, month, d)
            month += step
            year += (month - 1) // 12
            month = (month - 1) % 12 + 1
            if year > 9999:
                return
    else:  # YEARLY
        year = first.year
        months = rule.bymonth or [first.month]
        while year <= 9999:
            for month in sorted(months):
                for d in _month_days(rule, year, month, first.day):
                    yield date(year, month, d)
            year += step


def occurrences(
    rule: Rule | None,
    start: datetime,
    tz: tzinfo,
    *,
    horizon: datetime | None,
    stop: datetime | None = None,
    capped: bool = True,
) -> Iterator[datetime]:
    """UTC start times of the occurrences, in order, from ``start`` (aware) on.

    ``horizon`` is "five years from now" at the time the rule was set; ``stop`` ends a lazy walk
    (occurrences starting at or after it are not produced). ``capped=False`` (the
    ``rest-recurrence-caps`` fault) ignores the caps and the horizon.
    """
    first_utc = start.astimezone(UTC)
    if rule is None:
        if stop is None or first_utc < stop:
            yield first_utc
        return
    local = start.astimezone(tz)
    wall = time(local.hour, local.minute, local.second)
    limit = rule.count
    until = rule.until
    if capped and rule.ends:
        limit = min(limit, CAPS[rule.freq]) if limit is not None else CAPS[rule.freq]
        if until is not None and horizon is not None:
            until = min(until, horizon)
    produced = 0
    for day in _candidate_dates(rule, local.date()):
        if day < local.date():
            continue
        try:
            at = datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)
        except (OverflowError, ValueError):
            return
        if at < first_utc:
            continue
        if until is not None and at > until:
            return
        if stop is not None and at >= stop:
            return
        if limit is not None and produced >= limit:
            return
        produced += 1
        yield at


__all__ = ["CAPS", "HORIZON", "RecurrenceError", "Rule", "first_only", "occurrences", "parse", "text_of", "zone"]
