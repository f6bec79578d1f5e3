"""The emulator's cheaper ways of doing the same thing (issue 17, docs/performance.md): a generated
password in one draw with every character still uniform over its alphabet, person IDs and time-zone
offsets computed once with the same values, stored sections copied as deeply as ``copy.deepcopy``."""

from __future__ import annotations

import base64
import copy
import random
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from webex_harness.emulator import entropy
from webex_harness.emulator.app import create_app
from webex_harness.emulator.meeting_link import person_id
from webex_harness.emulator.model import generate_password
from webex_harness.emulator.rest import times as rest_times
from webex_harness.emulator.services import common
from webex_harness.emulator.services.meeting_rules import _copy_tree
from webex_harness.webex import timezones

UPPER, LOWER = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz"
PASSWORD = re.compile(r"[A-HJ-NP-Z][a-km-np-z][A-HJ-NP-Za-km-np-z]{6}[1-9][0-9]{2}")


def test_a_generated_password_is_one_draw_of_the_os_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    draws: list[int] = []
    real = entropy.randbelow

    def counted(n: int) -> int:
        draws.append(n)
        return real(n)

    monkeypatch.setattr(entropy, "randbelow", counted)
    monkeypatch.setattr(secrets, "choice", lambda seq: pytest.fail("a password draws no character on its own"))
    password = generate_password()
    assert PASSWORD.fullmatch(password)
    assert draws == [24 * 24 * 48**6 * 900]


def test_every_character_of_a_generated_password_covers_its_whole_alphabet(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(17)
    monkeypatch.setattr(entropy, "randbelow", rng.randrange)
    passwords = [generate_password() for _ in range(4000)]
    assert all(PASSWORD.fullmatch(p) for p in passwords)
    alphabets = [UPPER, LOWER, *[UPPER + LOWER] * 6, "123456789", "0123456789", "0123456789"]
    for position, alphabet in enumerate(alphabets):
        assert {p[position] for p in passwords} == set(alphabet), position


@pytest.mark.parametrize("length", [4, 5, 6, 14])
def test_a_generated_password_has_the_length_asked_for_with_at_least_five_characters(length: int) -> None:
    password = generate_password(length)
    assert len(password) == max(length, 5)
    assert password[0] in UPPER and password[1] in LOWER and password[-3:].isdigit() and password[-3] != "0"


def test_a_person_id_is_the_uuid5_of_the_users_name_on_the_site_whatever_its_case() -> None:
    site = create_app("Harness").registry.default
    person = uuid.uuid5(uuid.NAMESPACE_DNS, "jane.doe.harness.webex.com")
    expected = base64.b64encode(f"ciscospark://us/PEOPLE/{person}".encode()).decode().rstrip("=")
    assert person_id(site, "Jane.Doe") == expected
    assert person_id(site, "jane.doe") == expected
    assert person_id(site, "someone.else") != expected


def test_time_zone_offsets_are_the_standard_offsets_of_the_table() -> None:
    for tz_id in range(timezones.count()):
        hours = timezones._TABLE[tz_id].hours
        assert timezones.offset(tz_id) == timezone(timedelta(hours=hours))
    assert timezones.offset(-1) == timezones.offset(10_000) == timezone(timedelta(0))


def test_created_sections_are_copied_as_deeply_as_deepcopy() -> None:
    class Value:
        def __init__(self) -> None:
            self.items = [1]

    section = {"a": "x", "b": {"c": ["y", {"d": "z"}]}, "e": [], "f": Value()}
    copied = _copy_tree(section)
    assert copied["a"] == "x" and copied["b"] == copy.deepcopy(section["b"]) and copied["e"] == []
    assert copied is not section and copied["b"] is not section["b"]
    assert copied["b"]["c"] is not section["b"]["c"] and copied["b"]["c"][1] is not section["b"]["c"][1]
    assert copied["f"] is not section["f"] and copied["f"].items == [1] and copied["f"].items is not section["f"].items


def test_a_formatted_date_is_what_strftime_makes_of_it() -> None:
    rng = random.Random(5)
    moments = [datetime(1, 1, 1), datetime(999, 12, 31, 23, 59, 59), datetime(9999, 12, 31, 23, 59, 59)]
    moments += [datetime(1970, 1, 1) + timedelta(seconds=rng.randrange(10**10)) for _ in range(2000)]
    for moment in moments:
        assert common.format_date(moment) == moment.strftime("%m/%d/%Y %H:%M:%S"), moment


def test_a_zones_standard_display_name_is_made_once_with_the_same_words() -> None:
    for tz_id in range(timezones.count()):
        zone = timezones._TABLE[tz_id]
        minutes = round(zone.hours * 60)
        assert timezones.display_name(tz_id) == timezones.display_name(tz_id, minutes)
        assert timezones.display_name(tz_id) == f"{timezones._gmt(minutes)}, {zone.name}"
    assert timezones.display_name(-1) == timezones.display_name(10_000) == "GMT+00:00, GMT (London)"


def test_rest_times_and_occurrence_ids_are_what_strftime_makes_of_them() -> None:
    rng = random.Random(9)
    zones = [UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=45))]
    moments = [datetime(1971, 1, 1, tzinfo=UTC), datetime(9000, 12, 31, 23, 59, 59, tzinfo=UTC)]
    start = datetime(1971, 1, 1, tzinfo=UTC)
    moments += [start.astimezone(rng.choice(zones)) + timedelta(seconds=rng.randrange(10**10)) for _ in range(2000)]
    for moment in moments:
        utc = moment.astimezone(UTC)
        assert rest_times.utc_text(moment) == utc.strftime("%Y-%m-%dT%H:%M:%SZ"), moment
        assert rest_times.render_time(moment, True) == utc.strftime("%Y-%m-%dT%H:%M:%SZ"), moment
        assert rest_times.slot_key(moment) == utc.strftime(rest_times.SLOT_FORMAT), moment
        assert rest_times.parse_slot(rest_times.slot_key(moment)) == utc.replace(microsecond=0)
