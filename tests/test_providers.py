"""The Webex Faker provider: determinism, formats, e-mails by kind, names by script."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from faker import Faker

from webex_harness.generators.providers import LOCALES, WebexProvider, make_faker, reseed, webex_provider

NOW = datetime(2026, 11, 21, 12, 0, 0)
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")
UNPADDED_RE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{1,2}:\d{1,2}$")
EMAIL_RE = re.compile(r"^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$")
CJK_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
RTL_RE = re.compile(r"[\u0590-\u05ff\u0600-\u06ff]")


def _sample(seed: int) -> list[object]:
    fake = make_faker(seed)
    return [
        fake.webex_id(),
        fake.site_name(),
        fake.session_key(),
        fake.meeting_uuid(),
        fake.conf_id(),
        fake.time_zone_id(),
        fake.webex_date(NOW, 1, 30),
        fake.webex_date_unpadded(NOW),
        fake.webex_password(),
        fake.webex_password(valid=False),
        fake.webex_email(),
        fake.webex_email("mixed_case"),
        fake.webex_email("whitespace"),
        fake.webex_email("duplicate"),
        fake.person_name(),
        fake.person_name("cjk"),
        fake.person_name("rtl"),
        fake.tracking_code(),
        fake.meeting_type_id(),
    ]


def test_same_seed_same_values() -> None:
    assert _sample(42) == _sample(42)
    assert _sample(42) != _sample(43)


def test_reseeding_a_used_faker_reproduces_a_fresh_one() -> None:
    fake = make_faker(1)
    for _ in range(50):
        fake.webex_email()
    reseed(fake, 7)
    fresh = make_faker(7)
    assert [fake.webex_email("duplicate"), fake.session_key()] == [fresh.webex_email("duplicate"), fresh.session_key()]


def test_global_random_state_untouched() -> None:
    state = random.getstate()
    _sample(3)
    assert random.getstate() == state


def test_locales_are_fixed() -> None:
    assert LOCALES == ("en_US",)
    assert make_faker(0).locales == ["en_US"]


def test_make_faker_registers_the_provider() -> None:
    fake = make_faker(0)
    assert any(isinstance(p, WebexProvider) for p in fake.factories[0].providers)


def test_webex_provider_is_the_registered_one() -> None:
    fake, twin = make_faker(8), make_faker(8)
    provider = webex_provider(fake)
    assert isinstance(provider, WebexProvider)
    assert [provider.session_key(), provider.webex_email("mixed_case"), provider.webex_password()] == [
        twin.session_key(),
        twin.webex_email("mixed_case"),
        twin.webex_password(),
    ]
    with pytest.raises(ValueError, match="no WebexProvider"):
        webex_provider(Faker())


def test_fakers_own_email_and_password_keep_their_signatures() -> None:
    """The provider overrides none of Faker's methods: Faker's keyword arguments still work."""
    fake = make_faker(0)
    assert fake.email(safe=True, domain="example.org").endswith("@example.org")
    password = fake.password(length=21, special_chars=False)
    assert len(password) == 21 and password.isalnum()
    fakers_own = set(dir(Faker(list(LOCALES)).factories[0]))  # every method of the locale's providers
    overridden = {name for name in vars(WebexProvider) if not name.startswith("_")} & fakers_own
    assert overridden == set(), f"WebexProvider overrides Faker's {sorted(overridden)}"


@pytest.mark.parametrize("seed", range(20))
def test_identifier_formats(seed: int) -> None:
    fake = make_faker(seed)
    assert re.fullmatch(r"[1-9]\d{8,9}", fake.session_key())
    assert re.fullmatch(r"[0-9a-f]{32}", fake.meeting_uuid())
    assert re.fullmatch(r"[1-9]\d{17}", fake.conf_id())
    assert 0 <= int(fake.time_zone_id()) <= 61
    assert re.fullmatch(r"[a-z0-9]{2,64}", fake.webex_id())
    assert re.fullmatch(r"[a-z]+\d+", fake.site_name())
    assert fake.meeting_type_id() in {"1", "3"}
    assert 0 < len(fake.tracking_code()) <= 128


@pytest.mark.parametrize("seed", range(20))
def test_webex_dates_relative_to_now(seed: int) -> None:
    fake = make_faker(seed)
    text = fake.webex_date(NOW, 1, 30)
    assert DATE_RE.match(text)
    when = datetime.strptime(text, "%m/%d/%Y %H:%M:%S")
    assert NOW + timedelta(hours=12) <= when <= NOW + timedelta(days=31)
    past = datetime.strptime(fake.webex_date(NOW, -30, -2), "%m/%d/%Y %H:%M:%S")
    assert past < NOW - timedelta(days=1)
    assert UNPADDED_RE.match(fake.webex_date_unpadded(NOW))


def test_dates_follow_the_injected_now_not_the_clock() -> None:
    later = NOW + timedelta(days=400)
    a = datetime.strptime(make_faker(5).webex_date(NOW), "%m/%d/%Y %H:%M:%S")
    b = datetime.strptime(make_faker(5).webex_date(later), "%m/%d/%Y %H:%M:%S")
    assert b - a == timedelta(days=400)


def test_unpadded_date_drops_leading_zeros() -> None:
    texts = [make_faker(s).webex_date_unpadded(datetime(2026, 1, 1), 1, 5) for s in range(10)]
    assert all(t.startswith("1/") and "/0" not in t for t in texts)


def test_date_window_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="days_ahead_min"):
        make_faker(0).webex_date(NOW, 5, 1)


@pytest.mark.parametrize("seed", range(20))
def test_valid_password_meets_complexity(seed: int) -> None:
    pw = make_faker(seed).webex_password()
    assert len(pw) >= 8
    assert re.search(r"[A-Za-z]", pw) and re.search(r"\d", pw)
    assert not re.search(r"\s", pw)


@pytest.mark.parametrize(
    ("defect", "broken"),
    [
        ("too_short", lambda pw: len(pw) < 8),
        ("no_digits", lambda pw: not re.search(r"\d", pw)),
        ("no_letters", lambda pw: not re.search(r"[A-Za-z]", pw)),
        ("with_space", lambda pw: " " in pw),
    ],
)
def test_invalid_password_breaks_its_rule(defect: str, broken) -> None:  # type: ignore[no-untyped-def]
    for seed in range(10):
        assert broken(make_faker(seed).webex_password(valid=False, defect=defect))


def test_invalid_password_without_defect_is_invalid() -> None:
    for seed in range(20):
        pw = make_faker(seed).webex_password(valid=False)
        ok = len(pw) >= 8 and re.search(r"[A-Za-z]", pw) and re.search(r"\d", pw) and " " not in pw
        assert not ok, pw


@pytest.mark.parametrize("seed", range(20))
def test_emails_by_kind(seed: int) -> None:
    fake = make_faker(seed)
    valid = fake.webex_email()
    assert EMAIL_RE.match(valid) and valid.endswith((".com", ".org", ".net"))
    assert "example." in valid
    assert fake.webex_email("duplicate") == valid
    mixed = fake.webex_email("mixed_case")
    assert mixed != mixed.lower() and EMAIL_RE.match(mixed.lower())
    assert fake.webex_email("duplicate") == mixed
    spaced = fake.webex_email("whitespace")
    assert re.search(r"\s", spaced) and EMAIL_RE.match(re.sub(r"\s", "", spaced))
    assert spaced == spaced.strip()


def test_duplicate_without_history_is_a_valid_address() -> None:
    fake = make_faker(9)
    first = fake.webex_email("duplicate")
    assert EMAIL_RE.match(first)
    assert fake.webex_email("duplicate") == first


def test_unknown_kinds_are_rejected() -> None:
    fake = make_faker(0)
    with pytest.raises(ValueError, match="e-mail kind"):
        fake.webex_email("shouting")
    with pytest.raises(ValueError, match="script"):
        fake.person_name("klingon")
    with pytest.raises(ValueError, match="defect"):
        fake.webex_password(valid=False, defect="too_long")


@pytest.mark.parametrize("seed", range(20))
def test_names_by_script(seed: int) -> None:
    fake = make_faker(seed)
    latin = fake.person_name()
    assert re.fullmatch(r"[A-Za-z'\-]+ [A-Za-z'\-]+", latin)
    assert CJK_RE.search(fake.person_name("cjk"))
    assert RTL_RE.search(fake.person_name("rtl"))
    first, last = fake.person_name_parts("cjk")
    assert CJK_RE.search(first) and CJK_RE.search(last)


def test_chinese_names_have_no_space() -> None:
    names = [make_faker(s).person_name("cjk") for s in range(60)]
    assert any(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) for n in names)  # e.g. 王小明


def test_no_clock_in_generators() -> None:
    root = Path(__file__).resolve().parents[1] / "generators"
    for path in root.glob("*.py"):
        code = re.sub(r"``[^`]*``", "", path.read_text(encoding="utf-8"))  # docs may name it
        for forbidden in ("datetime.now(", "date.today(", "time.time(", "utcnow("):
            assert forbidden not in code, f"{path.name} reads the clock ({forbidden})"
