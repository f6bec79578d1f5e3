"""Faker provider for Webex test data: keys, UUIDs, time zones, Webex dates, e-mails by defect.

Rules (as Faker's own providers do):

- every random choice goes through ``self.generator.random``, so ``Faker.seed_instance(seed)``
  reproduces everything;
- nothing is relative to "today": dates take an explicit reference ``now``;
- generated e-mail addresses use the reserved ``example.*`` domains (RFC 2606), so a run against
  a real site never mails a real person.

The provider adds methods and overrides none of Faker's: its e-mails and passwords are
:meth:`WebexProvider.webex_email` and :meth:`WebexProvider.webex_password`, so ``fake.email()`` and
``fake.password()`` keep Faker's own signatures. Faker's proxy types the provider's methods as ``Any``;
typed code reaches them through :func:`webex_provider`.

Use :func:`make_faker` (or :func:`reseed`) rather than ``Faker.seed_instance`` alone: it also
forgets the address :meth:`WebexProvider.webex_email` remembers for ``kind="duplicate"``.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import datetime, timedelta

from faker import Faker
from faker.generator import Generator
from faker.providers import BaseProvider

__all__ = ["LOCALES", "WebexProvider", "make_faker", "reseed", "webex_provider"]

#: The locale list of :func:`make_faker`: fixed, so no environment variable or platform default
#: can change the data. Non-Latin names come from :meth:`WebexProvider.person_name`, not from
#: extra locales (a multi-locale proxy would pick the locale per call and cost time).
LOCALES: tuple[str, ...] = ("en_US",)

_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "corp.example.org")
_SITE_WORDS = ("acme", "globex", "initech", "umbrella", "hooli", "vandelay", "wonka", "stark", "tyrell")
_DEPARTMENTS = ("Sales", "Engineering", "Marketing", "Support", "Finance", "Legal", "Training", "Research")

# Non-Latin names (``person_name(script=...)``). Chinese names are written family name first
# without a space (王小明); Japanese with a space; Korean without.
_CJK_FAMILY = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周")
_CJK_GIVEN = ("小明", "伟", "芳", "秀英", "娜", "敏", "静", "丽", "强", "磊", "建华", "淑珍")
_JA_NAMES = (("佐藤", "花子"), ("鈴木", "一郎"), ("高橋", "美咲"), ("田中", "健太"))
_KO_NAMES = (("김", "민준"), ("이", "서연"), ("박", "지훈"), ("최", "수아"))
_AR_FIRST = ("محمد", "أحمد", "فاطمة", "علي", "مريم", "يوسف", "خالد", "ليلى", "عمر", "سارة")
_AR_LAST = ("أحمد", "حسن", "العلي", "الخطيب", "منصور", "سعيد", "الحسيني", "ناصر")
_HE_FIRST = ("דוד", "שרה", "משה", "רחל", "יוסף", "מרים", "נועה", "אברהם")
_HE_LAST = ("כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן")
_JA_FAMILIES = frozenset(family for family, _ in _JA_NAMES)

_EMAIL_KINDS = ("valid", "mixed_case", "whitespace", "duplicate")
_PASSWORD_DEFECTS = ("too_short", "no_digits", "no_letters", "with_space")
_SCRIPTS = ("latin", "cjk", "rtl")


class WebexProvider(BaseProvider):
    """Webex-shaped values. All randomness comes from ``self.generator.random``."""

    #: The Faker generator (one per locale) the provider is registered on: ``Generator.add_provider``
    #: instantiates the provider with itself.
    generator: Generator

    def __init__(self, generator: Generator) -> None:
        super().__init__(generator)
        self._last_email: str | None = None
        self._name_pools: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    # -- state ---------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the remembered e-mail (``kind="duplicate"``). :func:`reseed` calls this."""
        self._last_email = None

    # -- identifiers ---------------------------------------------------------------------------

    def _digits(self, count: int) -> str:
        rnd = self.generator.random
        first = str(rnd.randint(1, 9))
        return first + "".join(str(rnd.randint(0, 9)) for _ in range(count - 1))

    def _pools(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The locale's first and last names as plain tuples (drawn uniformly: Faker's weighted
        draw costs ~20 µs a name, a ``random.choice`` well under 1 µs)."""
        if self._name_pools is None:
            firsts: tuple[str, ...] = ()
            lasts: tuple[str, ...] = ()
            for provider in self.generator.providers:
                if not firsts and hasattr(provider, "first_names"):
                    firsts = tuple(provider.first_names)
                if not lasts and hasattr(provider, "last_names"):
                    lasts = tuple(provider.last_names)
            self._name_pools = (firsts or ("Alex", "Sam", "Jo"), lasts or ("Smith", "Lee", "Garcia"))
        return self._name_pools

    def given_name(self) -> str:
        """A first name of the locale (uniform draw)."""
        return self.generator.random.choice(self._pools()[0])

    def family_name(self) -> str:
        """A last name of the locale (uniform draw)."""
        return self.generator.random.choice(self._pools()[1])

    def _ascii_name(self) -> tuple[str, str]:
        first = "".join(c for c in self.given_name().lower() if c.isascii() and c.isalpha())
        last = "".join(c for c in self.family_name().lower() if c.isascii() and c.isalpha())
        return first or "user", last or "person"

    def webex_id(self) -> str:
        """A Webex user ID: lowercase letters and digits, e.g. ``jsmith42`` (≤ 64 characters)."""
        first, last = self._ascii_name()
        return f"{first[:20]}{last[:1]}{self.generator.random.randint(1, 9999)}"

    def site_name(self) -> str:
        """A Webex site name, e.g. ``globex17`` (the ``{site}.webex.com`` part)."""
        rnd = self.generator.random
        return f"{rnd.choice(_SITE_WORDS)}{rnd.randint(1, 99)}"

    def session_key(self) -> str:
        """A meeting/session key: a 9- or 10-digit numeric string without a leading zero."""
        return self._digits(self.generator.random.choice((9, 10)))

    def meeting_uuid(self) -> str:
        """A ``meetingUUID``: 32 lowercase hexadecimal digits (001, 40.6.0 – 40.10.0)."""
        return f"{self.generator.random.getrandbits(128):032x}"

    def conf_id(self) -> str:
        """A ``confID``: 18 digits, as in ``158941507534980823`` (001, 40.10.0)."""
        return self._digits(18)

    def time_zone_id(self) -> str:
        """A Webex ``timeZoneID``: an integer 0–61, as a string."""
        return str(self.generator.random.randint(0, 61))

    def meeting_type_id(self) -> str:
        """A meeting type ID the documentation shows in scheduling samples (1, 3 = PRO)."""
        return str(self.generator.random.choice((1, 3)))

    def tracking_code(self) -> str:
        """A tracking code value, e.g. ``Sales-4821`` (≤ 128 characters)."""
        rnd = self.generator.random
        return f"{rnd.choice(_DEPARTMENTS)}-{rnd.randint(1000, 9999)}"

    # -- dates ---------------------------------------------------------------------------------

    def webex_datetime(self, now: datetime, days_ahead_min: int = 1, days_ahead_max: int = 30) -> datetime:
        """A datetime ``days_ahead_min``–``days_ahead_max`` days after ``now`` (negative: before).

        The time of day is 08:00–19:55 on a five-minute boundary, so a date one day ahead stays in
        the future in every Webex time zone (GMT-12 … GMT+13) relative to ``now`` read as UTC.
        """
        if days_ahead_min > days_ahead_max:
            raise ValueError(f"days_ahead_min {days_ahead_min} > days_ahead_max {days_ahead_max}")
        rnd = self.generator.random
        day = (now + timedelta(days=rnd.randint(days_ahead_min, days_ahead_max))).date()
        return datetime(day.year, day.month, day.day, rnd.randint(8, 19), rnd.randrange(0, 60, 5), 0)

    def webex_date(self, now: datetime, days_ahead_min: int = 1, days_ahead_max: int = 30) -> str:
        """A Webex date ``MM/DD/YYYY HH:MM:SS`` relative to ``now`` (see :meth:`webex_datetime`)."""
        return self.webex_datetime(now, days_ahead_min, days_ahead_max).strftime("%m/%d/%Y %H:%M:%S")

    def webex_date_unpadded(self, now: datetime, days_ahead_min: int = 1, days_ahead_max: int = 30) -> str:
        """The unpadded form ``M/D/YYYY H:M:S`` real clients also send (docs/wire.md R8)."""
        d = self.webex_datetime(now, days_ahead_min, days_ahead_max)
        return f"{d.month}/{d.day}/{d.year} {d.hour}:{d.minute}:{d.second}"

    # -- secrets -------------------------------------------------------------------------------

    def webex_password(self, valid: bool = True, defect: str | None = None) -> str:
        """A meeting password.

        ``valid=True``: 8–16 characters, upper- and lower-case letters and at least two digits,
        no spaces or symbols (meets the default complexity). ``valid=False`` breaks one rule:
        ``defect`` is ``too_short``, ``no_digits``, ``no_letters`` or ``with_space`` (random
        when not given).
        """
        rnd = self.generator.random
        if valid and defect is None:
            length = rnd.randint(8, 16)
            chars = [rnd.choice(string.ascii_uppercase), rnd.choice(string.ascii_lowercase)]
            chars += [rnd.choice(string.digits) for _ in range(2)]
            chars += [rnd.choice(string.ascii_letters + string.digits) for _ in range(length - 4)]
            rnd.shuffle(chars)
            return "".join(chars)
        defect = defect or rnd.choice(_PASSWORD_DEFECTS)
        if defect == "too_short":
            return rnd.choice(string.ascii_letters) + "".join(rnd.choice(string.digits) for _ in range(3))
        if defect == "no_digits":
            return "".join(rnd.choice(string.ascii_letters) for _ in range(rnd.randint(8, 12)))
        if defect == "no_letters":
            return "".join(rnd.choice(string.digits) for _ in range(rnd.randint(8, 12)))
        if defect == "with_space":
            good = self.webex_password(valid=True)
            cut = rnd.randint(1, len(good) - 1)
            return f"{good[:cut]} {good[cut:]}"
        raise ValueError(f"unknown password defect {defect!r}; expected one of {', '.join(_PASSWORD_DEFECTS)}")

    # -- people --------------------------------------------------------------------------------

    def webex_email(self, kind: str = "valid") -> str:
        """An e-mail address on an ``example.*`` domain, by ``kind``:

        - ``valid``: lowercase, e.g. ``jane.doe42@example.com``;
        - ``mixed_case``: upper-case letters in local part and domain (``Jane.Doe42@Example.COM``);
          lowercasing changes it (behaviour ``email-lowercase``);
        - ``whitespace``: a space or tab inside the local part (behaviour ``email-no-whitespace``);
        - ``duplicate``: the address this provider returned last (a new valid one if none yet,
          behaviour ``duplicate-email-first-wins``).
        """
        if kind not in _EMAIL_KINDS:
            raise ValueError(f"unknown e-mail kind {kind!r}; expected one of {', '.join(_EMAIL_KINDS)}")
        if kind == "duplicate":
            if self._last_email is None:
                self._last_email = self.webex_email("valid")
            return self._last_email
        rnd = self.generator.random
        first, last = self._ascii_name()
        local = f"{first[:20]}.{last[:20]}{rnd.randint(1, 999)}"
        domain = rnd.choice(_EMAIL_DOMAINS)
        if kind == "valid":
            address = f"{local}@{domain}"
            self._last_email = address
            return address
        if kind == "mixed_case":
            mixed_local = ".".join(part[:1].upper() + part[1:] for part in local.split("."))
            labels = domain.split(".")
            mixed_domain = ".".join([*(lbl.capitalize() for lbl in labels[:-1]), labels[-1].upper()])
            address = f"{mixed_local}@{mixed_domain}"
            self._last_email = address
            return address
        cut = rnd.randint(1, len(local) - 1)
        return f"{local[:cut]}{rnd.choice((' ', chr(9)))}{local[cut:]}@{domain}"

    def person_name_parts(self, script: str = "latin") -> tuple[str, str]:
        """``(first, last)`` in ``script``: ``latin``, ``cjk`` (Chinese, Japanese, Korean) or ``rtl``
        (Arabic, Hebrew)."""
        rnd = self.generator.random
        if script == "latin":
            return self.given_name(), self.family_name()
        if script == "cjk":
            pick = rnd.randint(0, 5)
            if pick <= 3:
                return rnd.choice(_CJK_GIVEN), rnd.choice(_CJK_FAMILY)
            family, given = rnd.choice(_JA_NAMES if pick == 4 else _KO_NAMES)
            return given, family
        if script == "rtl":
            if rnd.randint(0, 1):
                return rnd.choice(_AR_FIRST), rnd.choice(_AR_LAST)
            return rnd.choice(_HE_FIRST), rnd.choice(_HE_LAST)
        raise ValueError(f"unknown script {script!r}; expected one of {', '.join(_SCRIPTS)}")

    def person_name(self, script: str = "latin") -> str:
        """A full name in ``script``: ``Jane Doe``, ``王小明`` / ``佐藤 花子``, ``محمد أحمد`` / ``דוד כהן``."""
        first, last = self.person_name_parts(script)
        if script == "cjk":
            # Chinese and Korean: family name first, no space; Japanese: family name, space, given.
            return f"{last} {first}" if last in _JA_FAMILIES else f"{last}{first}"
        return f"{first} {last}"


def _registered(fake: Faker) -> Iterator[WebexProvider]:
    """The :class:`WebexProvider` of each of ``fake``'s locales (one ``Generator`` each), in order."""
    factories: list[Generator] = fake.factories
    for factory in factories:
        for provider in factory.providers:
            if isinstance(provider, WebexProvider):
                yield provider


def webex_provider(fake: Faker) -> WebexProvider:
    """The :class:`WebexProvider` registered on ``fake``, typed (with several locales: the first's).

    With :func:`make_faker`'s one locale, ``webex_provider(fake).session_key()`` is
    ``fake.session_key()``: Faker's proxy hands out the same bound method. ``ValueError`` when
    ``fake`` has none.
    """
    for provider in _registered(fake):
        return provider
    raise ValueError("this Faker has no WebexProvider; create it with generators.providers.make_faker")


def reseed(fake: Faker, seed: int) -> Faker:
    """Seed ``fake`` (``Faker.seed_instance``) and reset the provider's remembered e-mail."""
    fake.seed_instance(seed)
    for provider in _registered(fake):
        provider.reset()
    return fake


def make_faker(seed: int) -> Faker:
    """A Faker with :class:`WebexProvider` registered, seeded with ``seed`` (locales :data:`LOCALES`)."""
    fake = Faker(list(LOCALES))
    fake.add_provider(WebexProvider)
    return reseed(fake, seed)
