"""webex/timezones.py: the 62 Webex time zones, their labels and daylight saving at an instant
(what LstTimeZone reports), checked at the rules' boundaries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webex_harness.webex import timezones

PACIFIC, ARIZONA, LONDON, TEL_AVIV, SYDNEY, WELLINGTON = 4, 5, 21, 31, 55, 60


def test_there_are_62_zones_and_the_standard_offset_is_unchanged() -> None:
    assert timezones.count() == 62
    assert timezones.display_name(PACIFIC) == "GMT-08:00, Pacific (San Jose)"
    assert timezones.display_name(PACIFIC, -420) == "GMT-07:00, Pacific (San Jose)"
    assert timezones.display_name(15) == "GMT-03:30, Newfoundland"


@pytest.mark.parametrize(
    ("tz", "when", "minutes"),
    [
        # US 2026: second Sunday of March (8th) 02:00 PST = 10:00 GMT; first Sunday of November (1st) 02:00 PDT = 09:00
        (PACIFIC, datetime(2026, 3, 8, 9, 59), -480),
        (PACIFIC, datetime(2026, 3, 8, 10, 0), -420),
        (PACIFIC, datetime(2026, 11, 1, 8, 59), -420),
        (PACIFIC, datetime(2026, 11, 1, 9, 0), -480),
        (PACIFIC, datetime(2015, 1, 26, 21, 0), -480),  # the reference page's sample date
        (ARIZONA, datetime(2026, 7, 1), -420),
        # EU 2026: last Sunday of March (29th) and of October (25th), 01:00 GMT
        (LONDON, datetime(2026, 3, 29, 0, 59), 0),
        (LONDON, datetime(2026, 3, 29, 1, 0), 60),
        (LONDON, datetime(2026, 10, 25, 0, 59), 60),
        (LONDON, datetime(2026, 10, 25, 1, 0), 0),
        # Israel 2026: Friday 27 March 02:00 local (00:00 GMT)
        (TEL_AVIV, datetime(2026, 3, 26, 23, 59), 120),
        (TEL_AVIV, datetime(2026, 3, 27, 0, 0), 180),
        # Sydney: first Sunday of October 02:00 AEST to first Sunday of April 03:00 AEDT (both 16:00 GMT the day before)
        (SYDNEY, datetime(2026, 10, 3, 15, 59), 600),
        (SYDNEY, datetime(2026, 10, 3, 16, 0), 660),
        (SYDNEY, datetime(2026, 1, 15), 660),
        (SYDNEY, datetime(2026, 4, 4, 15, 59), 660),
        (SYDNEY, datetime(2026, 4, 4, 16, 0), 600),
        # Wellington: last Sunday of September (27th) 02:00 NZST = 14:00 GMT the day before
        (WELLINGTON, datetime(2026, 9, 26, 13, 59), 720),
        (WELLINGTON, datetime(2026, 9, 26, 14, 0), 780),
    ],
)
def test_the_offset_follows_daylight_saving(tz: int, when: datetime, minutes: int) -> None:
    assert timezones.gmt_offset_minutes(tz, when) == minutes
    assert timezones.gmt_offset_minutes(tz, when.replace(tzinfo=UTC)) == minutes
    assert timezones.in_daylight_saving(tz, when) == (
        minutes != round(timezones.offset(tz).utcoffset(None).total_seconds() / 60)
    )


def test_labels_follow_the_season_and_zones_without_daylight_saving_keep_one() -> None:
    assert timezones.short_name(PACIFIC, datetime(2026, 1, 1)) == "PST"
    assert timezones.short_name(PACIFIC, datetime(2026, 7, 1)) == "PDT"
    assert timezones.daylight_label(ARIZONA) == timezones.standard_label(ARIZONA) == "MST"
    assert not timezones.observes_daylight_saving(ARIZONA)
    assert timezones.standard_label(0) == "GMT-12:00"
    for tz in range(timezones.count()):
        assert timezones.standard_label(tz) and timezones.daylight_label(tz)
        if not timezones.observes_daylight_saving(tz):
            assert timezones.gmt_offset_minutes(tz, datetime(2026, 7, 1)) == timezones.gmt_offset_minutes(
                tz, datetime(2026, 1, 1)
            )
