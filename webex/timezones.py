"""Webex ``timeZoneID`` values (0–61): GMT offsets, display names, labels and daylight saving.

:func:`offset` and :func:`display_name` are the standard (winter) offset: the emulator compares
scheduling times at it, which is all the documented behaviours (``start-time-in-past``) need.
:func:`gmt_offset_minutes` is the offset in effect at a given instant, daylight saving included, as
the site service's ``LstTimeZone`` reports it (public XML API reference, page ``lsttimezone``:
"the GMT offsets which change during Daylight Savings Time periods", at the request's GMT
``date``). The rules are today's: the US (second Sunday of March to the first of November, 02:00
local), the EU (last Sunday of March to the last of October, 01:00 GMT), Israel (the Friday before
the last Sunday of March to the last Sunday of October, 02:00 local), south-east Australia (first
Sunday of October to the first of April) and New Zealand (last Sunday of September to the first
of April); every other zone keeps its standard offset all year. The short names (``PST``/``PDT`` …)
are the usual abbreviations; where a zone has none the label is its ``GMT±hh:mm`` (guess: the
reference's sample shows only Pacific time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import NamedTuple


class _Zone(NamedTuple):
    hours: float
    name: str
    #: the standard-time label (``PST``)
    standard: str
    #: the daylight-time label (``PDT``); None: no daylight saving
    daylight: str | None
    #: the daylight-saving rule (see the module docstring); None: none
    rule: str | None


_TABLE: list[_Zone] = [
    _Zone(-12, "Dateline (Eniwetok)", "GMT-12:00", None, None),
    _Zone(-11, "Samoa", "SST", None, None),
    _Zone(-10, "Hawaii (Honolulu)", "HST", None, None),
    _Zone(-9, "Alaska (Anchorage)", "AKST", "AKDT", "us"),
    _Zone(-8, "Pacific (San Jose)", "PST", "PDT", "us"),
    _Zone(-7, "Mountain (Arizona)", "MST", None, None),
    _Zone(-7, "Mountain (Denver)", "MST", "MDT", "us"),
    _Zone(-6, "Central (Chicago)", "CST", "CDT", "us"),
    _Zone(-6, "Mexico (Mexico City, Tegucigalpa)", "CST", None, None),
    _Zone(-6, "Central (Regina)", "CST", None, None),
    _Zone(-5, "S. America Pacific (Bogota)", "COT", None, None),
    _Zone(-5, "Eastern (New York)", "EST", "EDT", "us"),
    _Zone(-5, "Eastern (Indiana)", "EST", "EDT", "us"),
    _Zone(-4, "Atlantic (Halifax)", "AST", "ADT", "us"),
    _Zone(-4, "S. America Western (Caracas)", "VET", None, None),
    _Zone(-3.5, "Newfoundland", "NST", "NDT", "us"),
    _Zone(-3, "S. America Eastern (Brasilia)", "BRT", None, None),
    _Zone(-3, "S. America Eastern (Buenos Aires)", "ART", None, None),
    _Zone(-2, "Mid-Atlantic", "GMT-02:00", None, None),
    _Zone(-1, "Azores", "AZOT", "AZOST", "eu"),
    _Zone(0, "Greenwich (Casablanca)", "WET", None, None),
    _Zone(0, "GMT (London)", "GMT", "BST", "eu"),
    _Zone(1, "Europe (Amsterdam)", "CET", "CEST", "eu"),
    _Zone(1, "Europe (Paris)", "CET", "CEST", "eu"),
    _Zone(1, "Europe (Prague)", "CET", "CEST", "eu"),
    _Zone(1, "Europe (Berlin)", "CET", "CEST", "eu"),
    _Zone(2, "Greece (Athens)", "EET", "EEST", "eu"),
    _Zone(2, "Eastern Europe (Bucharest)", "EET", "EEST", "eu"),
    _Zone(2, "Egypt (Cairo)", "EET", None, None),
    _Zone(2, "South Africa (Pretoria)", "SAST", None, None),
    _Zone(2, "Northern Europe (Helsinki)", "EET", "EEST", "eu"),
    _Zone(2, "Israel (Tel Aviv)", "IST", "IDT", "il"),
    _Zone(3, "Saudi Arabia (Baghdad)", "AST", None, None),
    _Zone(3, "Russian (Moscow)", "MSK", None, None),
    _Zone(3, "Nairobi", "EAT", None, None),
    _Zone(3.5, "Iran (Tehran)", "IRST", None, None),
    _Zone(4, "Arabian (Abu Dhabi, Muscat)", "GST", None, None),
    _Zone(4, "Baku", "AZT", None, None),
    _Zone(4.5, "Afghanistan (Kabul)", "AFT", None, None),
    _Zone(5, "West Asia (Ekaterinburg)", "YEKT", None, None),
    _Zone(5, "West Asia (Islamabad)", "PKT", None, None),
    _Zone(5.5, "India (Bombay)", "IST", None, None),
    _Zone(6, "Columbo", "LKT", None, None),
    _Zone(6, "Central Asia (Almaty)", "ALMT", None, None),
    _Zone(7, "Bangkok", "ICT", None, None),
    _Zone(8, "China (Beijing)", "CST", None, None),
    _Zone(8, "Australia Western (Perth)", "AWST", None, None),
    _Zone(8, "Singapore", "SGT", None, None),
    _Zone(8, "Taipei", "CST", None, None),
    _Zone(9, "Japan (Tokyo)", "JST", None, None),
    _Zone(9, "Korea (Seoul)", "KST", None, None),
    _Zone(9, "Yakutsk", "YAKT", None, None),
    _Zone(9.5, "Australia Central (Adelaide)", "ACST", "ACDT", "au"),
    _Zone(9.5, "Australia Central (Darwin)", "ACST", None, None),
    _Zone(10, "Australia Eastern (Brisbane)", "AEST", None, None),
    _Zone(10, "Australia Eastern (Sydney)", "AEST", "AEDT", "au"),
    _Zone(10, "West Pacific (Guam)", "ChST", None, None),
    _Zone(10, "Tasmania (Hobart)", "AEST", "AEDT", "au"),
    _Zone(10, "Vladivostok", "VLAT", None, None),
    _Zone(11, "Central Pacific (Solomon Is)", "SBT", None, None),
    _Zone(12, "New Zealand (Wellington)", "NZST", "NZDT", "nz"),
    _Zone(12, "Fiji", "FJT", None, None),
]

#: The IANA time-zone name of each ``timeZoneID`` (the REST API's ``timezone``), by index: the city
#: the zone's display name gives, or the zone's usual IANA name where it names none.
_IANA: tuple[str, ...] = (
    "Etc/GMT+12", "Pacific/Pago_Pago", "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles",
    "America/Phoenix", "America/Denver", "America/Chicago", "America/Mexico_City", "America/Regina",
    "America/Bogota", "America/New_York", "America/Indiana/Indianapolis", "America/Halifax", "America/Caracas",
    "America/St_Johns", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Atlantic/South_Georgia",
    "Atlantic/Azores", "Africa/Casablanca", "Europe/London", "Europe/Amsterdam", "Europe/Paris",
    "Europe/Prague", "Europe/Berlin", "Europe/Athens", "Europe/Bucharest", "Africa/Cairo",
    "Africa/Johannesburg", "Europe/Helsinki", "Asia/Jerusalem", "Asia/Baghdad", "Europe/Moscow",
    "Africa/Nairobi", "Asia/Tehran", "Asia/Dubai", "Asia/Baku", "Asia/Kabul", "Asia/Yekaterinburg",
    "Asia/Karachi", "Asia/Kolkata", "Asia/Colombo", "Asia/Almaty", "Asia/Bangkok", "Asia/Shanghai",
    "Australia/Perth", "Asia/Singapore", "Asia/Taipei", "Asia/Tokyo", "Asia/Seoul", "Asia/Yakutsk",
    "Australia/Adelaide", "Australia/Darwin", "Australia/Brisbane", "Australia/Sydney", "Pacific/Guam",
    "Australia/Hobart", "Asia/Vladivostok", "Pacific/Guadalcanal", "Pacific/Auckland", "Pacific/Fiji",
)  # fmt: skip

#: The default time zone of a site (4: Pacific), as in the documentation's samples.
DEFAULT_TIME_ZONE_ID = 4


_LONDON = 21


def valid_time_zone_id(tz_id: int) -> bool:
    return 0 <= tz_id < len(_TABLE)


def _zone(tz_id: int) -> _Zone:
    return _TABLE[tz_id] if valid_time_zone_id(tz_id) else _TABLE[_LONDON]


#: Every zone's standard offset, made once (the emulator asks several times per request).
_OFFSETS: tuple[timezone, ...] = tuple(timezone(timedelta(hours=zone[0])) for zone in _TABLE)
_GMT = timezone(timedelta(hours=0))


def offset(tz_id: int) -> timezone:
    """The standard offset (daylight saving ignored)."""
    return _OFFSETS[tz_id] if valid_time_zone_id(tz_id) else _GMT


def iana_name(tz_id: int) -> str:
    """The IANA name of ``tz_id`` (the REST API's ``timezone``; an unknown ID: ``Europe/London``)."""
    return _IANA[tz_id] if valid_time_zone_id(tz_id) else _IANA[_LONDON]


def id_for_iana(name: str, standard_minutes: int | None = None) -> int:
    """The ``timeZoneID`` of an IANA name (case ignored); a name the table lacks: the first zone whose
    standard offset is ``standard_minutes``, else GMT (London)."""
    low = name.strip().lower()
    for tz_id, known in enumerate(_IANA):
        if known.lower() == low:
            return tz_id
    if standard_minutes is not None:
        for tz_id, zone in enumerate(_TABLE):
            if round(zone.hours * 60) == standard_minutes:
                return tz_id
    return _LONDON


def _gmt(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"GMT{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


#: ``display_name(tz_id)`` of every zone of the table, made once below (most answers with a schedule show one)
_STANDARD_NAMES: dict[int, str] = {}


def display_name(tz_id: int, minutes: int | None = None) -> str:
    """``GMT-08:00, Pacific (San Jose)`` as Webex shows it (``minutes``: the offset to show, default
    the standard one)."""
    if minutes is None:
        known = _STANDARD_NAMES.get(tz_id)
        if known is not None:
            return known
    zone = _TABLE[tz_id] if valid_time_zone_id(tz_id) else _Zone(0, "GMT (London)", "GMT", None, None)
    shown = round(zone.hours * 60) if minutes is None else minutes
    return f"{_gmt(shown)}, {zone.name}"


_STANDARD_NAMES.update({tz_id: display_name(tz_id) for tz_id in range(len(_TABLE))})


def standard_label(tz_id: int) -> str:
    zone = _zone(tz_id)
    return zone.standard if not zone.standard.startswith("GMT") else _gmt(round(zone.hours * 60))


def daylight_label(tz_id: int) -> str:
    """The daylight-time label; a zone without daylight saving answers its standard label."""
    return _zone(tz_id).daylight or standard_label(tz_id)


def observes_daylight_saving(tz_id: int) -> bool:
    return _zone(tz_id).rule is not None


# ---------------------------------------------------------------- daylight saving


def _nth_sunday(year: int, month: int, n: int) -> date:
    """The ``n``-th Sunday of the month (``n`` = -1: the last)."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _at(day: date, hour: int, local_minutes: int) -> datetime:
    """``hour``:00 local time (at the UTC offset ``local_minutes``) on ``day``, as naive UTC."""
    return datetime(day.year, day.month, day.day, hour) - timedelta(minutes=local_minutes)


def _daylight_period(zone: _Zone, year: int) -> tuple[datetime, datetime]:
    """(start, end) of daylight saving in naive UTC; for the southern rules the period starting in
    ``year`` ends in the next one."""
    std = round(zone.hours * 60)
    if zone.rule == "us":
        return _at(_nth_sunday(year, 3, 2), 2, std), _at(_nth_sunday(year, 11, 1), 2, std + 60)
    if zone.rule == "eu":
        return _at(_nth_sunday(year, 3, -1), 1, 0), _at(_nth_sunday(year, 10, -1), 1, 0)
    if zone.rule == "il":
        start = _nth_sunday(year, 3, -1) - timedelta(days=2)
        return _at(start, 2, std), _at(_nth_sunday(year, 10, -1), 2, std + 60)
    if zone.rule == "au":
        return _at(_nth_sunday(year, 10, 1), 2, std), _at(_nth_sunday(year + 1, 4, 1), 3, std + 60)
    if zone.rule == "nz":
        return _at(_nth_sunday(year, 9, -1), 2, std), _at(_nth_sunday(year + 1, 4, 1), 3, std + 60)
    raise ValueError(f"unknown daylight-saving rule {zone.rule!r}")


def in_daylight_saving(tz_id: int, when: datetime) -> bool:
    """Whether ``when`` (naive UTC, or aware) falls in the zone's daylight-saving period."""
    zone = _zone(tz_id)
    if zone.rule is None:
        return False
    moment = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    for year in (moment.year - 1, moment.year):
        start, end = _daylight_period(zone, year)
        if start <= moment < end:
            return True
    return False


def gmt_offset_minutes(tz_id: int, when: datetime) -> int:
    """The zone's offset from GMT in minutes at ``when``, daylight saving included."""
    standard = round(_zone(tz_id).hours * 60)
    return standard + (60 if in_daylight_saving(tz_id, when) else 0)


def count() -> int:
    return len(_TABLE)


def short_name(tz_id: int, when: datetime) -> str:
    """The label in effect at ``when`` (``PDT`` in summer, ``PST`` in winter)."""
    return daylight_label(tz_id) if in_daylight_saving(tz_id, when) else standard_label(tz_id)
