"""Webex ``timeZoneID`` values (0–61) with their GMT offsets and display names.

Daylight saving is ignored: the emulator compares times at the standard offset, which is all the
documented behaviours (``start-time-in-past``) need.
"""

from __future__ import annotations

from datetime import timedelta, timezone

_TABLE: list[tuple[float, str]] = [
    (-12, "Dateline (Eniwetok)"),
    (-11, "Samoa"),
    (-10, "Hawaii (Honolulu)"),
    (-9, "Alaska (Anchorage)"),
    (-8, "Pacific (San Jose)"),
    (-7, "Mountain (Arizona)"),
    (-7, "Mountain (Denver)"),
    (-6, "Central (Chicago)"),
    (-6, "Mexico (Mexico City, Tegucigalpa)"),
    (-6, "Central (Regina)"),
    (-5, "S. America Pacific (Bogota)"),
    (-5, "Eastern (New York)"),
    (-5, "Eastern (Indiana)"),
    (-4, "Atlantic (Halifax)"),
    (-4, "S. America Western (Caracas)"),
    (-3.5, "Newfoundland"),
    (-3, "S. America Eastern (Brasilia)"),
    (-3, "S. America Eastern (Buenos Aires)"),
    (-2, "Mid-Atlantic"),
    (-1, "Azores"),
    (0, "Greenwich (Casablanca)"),
    (0, "GMT (London)"),
    (1, "Europe (Amsterdam)"),
    (1, "Europe (Paris)"),
    (1, "Europe (Prague)"),
    (1, "Europe (Berlin)"),
    (2, "Greece (Athens)"),
    (2, "Eastern Europe (Bucharest)"),
    (2, "Egypt (Cairo)"),
    (2, "South Africa (Pretoria)"),
    (2, "Northern Europe (Helsinki)"),
    (2, "Israel (Tel Aviv)"),
    (3, "Saudi Arabia (Baghdad)"),
    (3, "Russian (Moscow)"),
    (3, "Nairobi"),
    (3.5, "Iran (Tehran)"),
    (4, "Arabian (Abu Dhabi, Muscat)"),
    (4, "Baku"),
    (4.5, "Afghanistan (Kabul)"),
    (5, "West Asia (Ekaterinburg)"),
    (5, "West Asia (Islamabad)"),
    (5.5, "India (Bombay)"),
    (6, "Columbo"),
    (6, "Central Asia (Almaty)"),
    (7, "Bangkok"),
    (8, "China (Beijing)"),
    (8, "Australia Western (Perth)"),
    (8, "Singapore"),
    (8, "Taipei"),
    (9, "Japan (Tokyo)"),
    (9, "Korea (Seoul)"),
    (9, "Yakutsk"),
    (9.5, "Australia Central (Adelaide)"),
    (9.5, "Australia Central (Darwin)"),
    (10, "Australia Eastern (Brisbane)"),
    (10, "Australia Eastern (Sydney)"),
    (10, "West Pacific (Guam)"),
    (10, "Tasmania (Hobart)"),
    (10, "Vladivostok"),
    (11, "Central Pacific (Solomon Is)"),
    (12, "New Zealand (Wellington)"),
    (12, "Fiji"),
]

#: The default time zone of a site (4: Pacific), as in the documentation's samples.
DEFAULT_TIME_ZONE_ID = 4


def valid_time_zone_id(tz_id: int) -> bool:
    return 0 <= tz_id < len(_TABLE)


def offset(tz_id: int) -> timezone:
    hours = _TABLE[tz_id][0] if valid_time_zone_id(tz_id) else 0
    return timezone(timedelta(hours=hours))


def display_name(tz_id: int) -> str:
    """``GMT-08:00, Pacific (San Jose)`` as Webex shows it."""
    hours, name = _TABLE[tz_id] if valid_time_zone_id(tz_id) else (0, "GMT (London)")
    sign = "-" if hours < 0 else "+"
    whole = int(abs(hours))
    minutes = round((abs(hours) - whole) * 60)
    return f"GMT{sign}{whole:02d}:{minutes:02d}, {name}"


def count() -> int:
    return len(_TABLE)
