"""Valid request envelopes for every catalogued XML API, deterministic for a seed.

A valid body carries only documented elements (``catalogue.yaml``), in document order, with the
right ``xsi:type``, values within their limits and start dates 1–30 days after ``ctx.now``::

    >>> from generators.envelopes import GenContext, valid_envelope
    >>> xml = valid_envelope("CreateMeeting", seed=7)                       # bytes
    >>> xml == valid_envelope("CreateMeeting", seed=7)
    True
    >>> valid_envelope("GetMeeting", 7, GenContext(session_key="812345678"))  # an existing meeting

APIs that address an existing object use the :class:`GenContext` placeholders (``session_key``,
``meeting_uuid``, ``webex_id_target`` …) when given, a generated value otherwise. Nothing here
reads the clock: ``ctx.now`` (default 2026-11-21T12:00:00, read as UTC) is the reference.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

from webex_harness.generators.catalogue import ApiSpec, ElementSpec, api
from webex_harness.generators.providers import WebexProvider, make_faker, reseed, webex_provider
from webex_harness.webex import timezones
from webex_harness.webex.envelope import Security, build_request

__all__ = [
    "DEFAULT_NOW",
    "DEFAULT_SECURITY",
    "GenContext",
    "faker_for",
    "valid_body",
    "valid_envelope",
]

#: The fixed reference time of generated data (never ``datetime.now()``).
DEFAULT_NOW = datetime(2026, 11, 21, 12, 0, 0)
#: The emulator's default credentials.
DEFAULT_SECURITY = Security(site_name="harness", webex_id="host", password="emulator-pass")

# A 1x1 transparent GIF, Base64 (UploadEventImage/imageData).
_TINY_GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@dataclass(frozen=True, slots=True)
class GenContext:
    """What generated envelopes refer to: the clock, the caller, and existing objects.

    Every placeholder is optional; when one is ``None`` a generated value takes its place (so
    the envelope is well-formed but addresses an object that probably does not exist).
    """

    #: Reference time for every date (read as UTC); never ``datetime.now()``.
    now: datetime = DEFAULT_NOW
    #: The ``securityContext`` of the request.
    security: Security = field(default_factory=lambda: DEFAULT_SECURITY)
    #: Key of an existing session of the kind the API works on (meetingKey, sessionKey).
    session_key: str | None = None
    #: ``meetingUUID`` of that session (edge case ``meeting-uuid-instead-of-key``).
    meeting_uuid: str | None = None
    #: An existing user other than the caller (GetUser, SetUser, DelUser, GetUserCard).
    webex_id_target: str | None = None
    #: E-mail of an attendee of ``session_key`` (DelMeetingAttendee).
    attendee_email: str | None = None
    attendee_id: str | None = None
    recording_id: str | None = None
    contact_id: str | None = None
    #: A distribution list of the caller holding ``contact_id`` (LstDistList, SetDistList, LstContact).
    dist_list_id: str | None = None
    test_id: str | None = None
    #: The name of one of the site's Hands-on Labs (GetLabSchedule, CheckLabAvailability, ReserveLab).
    lab_name: str | None = None
    #: The conference ID (confID) of an existing support session (GetFeedbackInfo).
    conf_id: str | None = None
    #: A test of the Training Center library the caller may see (UploadIMStest made it), and the
    #: e-mail of a participant who answered it (GetIMStestResult).
    lib_test_id: str | None = None
    test_participant: str | None = None
    #: A meeting type ID the site has (CreateMeeting/metaData/meetingType, GetMeetingType).
    meeting_type_id: str | None = None

    def with_(self, **changes: Any) -> GenContext:
        """A copy with ``changes`` (``dataclasses.replace``)."""
        return replace(self, **changes)


_DEFAULT_CTX = GenContext()


class _Filler:
    """Fills one body from the catalogue. ``state`` shares values between elements (the time
    zone used by both ``timeZoneID`` and ``timeZone``; the first start date). ``fake`` draws
    Faker's own values, ``webex`` (the same Faker's provider) the Webex ones."""

    __slots__ = ("ctx", "fake", "rnd", "state", "webex")

    def __init__(self, fake: Faker, ctx: GenContext) -> None:
        self.fake = fake
        self.webex: WebexProvider = webex_provider(fake)
        self.ctx = ctx
        self.rnd: random.Random = fake.random
        self.state: dict[str, Any] = {}

    # -- generators named by ``gen`` -------------------------------------------------------

    def _tz(self) -> str:
        if "tz" not in self.state:
            self.state["tz"] = self.webex.time_zone_id()
        return str(self.state["tz"])

    def _page_size(self) -> int:
        return self.rnd.choice((10, 20, 50, 100))

    def _session_key(self) -> str:
        return self.ctx.session_key or self.webex.session_key()

    def _target_user(self) -> str:
        return self.ctx.webex_id_target or self.webex.webex_id()

    def _self_or_target(self) -> str:
        return self.ctx.webex_id_target or self.ctx.security.webex_id or self.webex.webex_id()

    def _int_id(self, value: str | None) -> str:
        return value or str(self.rnd.randint(100, 99_999_999))

    def _meeting_type(self) -> str:
        return self.ctx.meeting_type_id or self.webex.meeting_type_id()

    def _conf_name(self) -> str:
        return str(self.fake.catch_phrase())

    # -- elements ----------------------------------------------------------------------------

    def leaf(self, spec: ElementSpec) -> Any:
        if spec.value is not None:
            return spec.value
        value = _GENS[spec.gen](self) if spec.gen is not None else _TYPE_DEFAULTS[spec.type](self, spec)
        if spec.max_length is not None and isinstance(value, str) and len(value) > spec.max_length:
            value = value[: spec.max_length].rstrip() or value[: spec.max_length]
        return value

    def group(self, spec: ElementSpec) -> dict[str, Any]:
        return {c.name: self.fill(c) for c in spec.children if c.in_valid}

    def fill(self, spec: ElementSpec) -> Any:
        if spec.type == "group":
            if spec.repeated:
                return [self.group(spec) for _ in range(max(spec.count, 0))]
            return self.group(spec)
        if spec.repeated:
            if spec.count < 0:
                return list(spec.enum)
            return [self.leaf(spec) for _ in range(spec.count)]
        return self.leaf(spec)

    def body(self, spec: ApiSpec) -> dict[str, Any]:
        return {el.name: self.fill(el) for el in spec.request if el.in_valid}


def _date(f: _Filler, spec: ElementSpec) -> str:
    lo, hi = spec.days or (1, 30)
    when = f.webex.webex_datetime(f.ctx.now, lo, hi)
    if spec.name == "startDate" and "start" not in f.state:
        f.state["start"] = when
    return when.strftime("%m/%d/%Y %H:%M:%S")


def _int(f: _Filler, spec: ElementSpec) -> int:
    lo = spec.min if spec.min is not None else 0
    hi = spec.max if spec.max is not None else lo + 100
    return f.rnd.randint(lo, hi)


def _text(f: _Filler, spec: ElementSpec) -> str:
    return str(f.fake.sentence(nb_words=6))


_TYPE_DEFAULTS: dict[str, Callable[[_Filler, ElementSpec], Any]] = {
    "string": _text,
    "html": _text,
    "int": _int,
    "bool": lambda f, s: f.rnd.random() < 0.5,
    "date": _date,
    "email": lambda f, s: f.webex.webex_email("valid"),
    "enum": lambda f, s: f.rnd.choice(s.enum),
    "key": lambda f, s: f._session_key(),
    "uuid": lambda f, s: f.ctx.meeting_uuid or f.webex.meeting_uuid(),
    "password": lambda f, s: f.webex.webex_password(valid=True),
}

_GENS: dict[str, Callable[[_Filler], Any]] = {
    "conf_name": _Filler._conf_name,
    "person_name": lambda f: f.webex.person_name(),
    "first_name": lambda f: f.webex.given_name(),
    "last_name": lambda f: f.webex.family_name(),
    "job_title": lambda f: f.fake.job(),
    "company": lambda f: f.fake.company(),
    "city": lambda f: f.fake.city(),
    "state": lambda f: f.fake.state(),
    "street": lambda f: f.fake.street_address(),
    "postal_code": lambda f: f.fake.postcode(),
    "country": lambda f: f.fake.country(),
    "phone": lambda f: f"+1-{f.rnd.randint(200, 999)}-555-{f.rnd.randint(0, 9999):04d}",
    "url": lambda f: f"https://www.example.com/{f.webex.webex_id()}",
    "tracking_code": lambda f: f.webex.tracking_code(),
    "time_zone_id": _Filler._tz,
    "time_zone_name": lambda f: timezones.display_name(int(f._tz())),
    "meeting_type_id": _Filler._meeting_type,
    "page_size": _Filler._page_size,
    "session_key": _Filler._session_key,
    "webex_id": lambda f: f.webex.webex_id(),
    "target_user": _Filler._target_user,
    "self_or_target_user": _Filler._self_or_target,
    "attendee_email": lambda f: f.ctx.attendee_email or f.webex.webex_email("valid"),
    "attendee_id": lambda f: f._int_id(f.ctx.attendee_id),
    "recording_id": lambda f: f._int_id(f.ctx.recording_id),
    "contact_id": lambda f: f._int_id(f.ctx.contact_id),
    "dist_list_id": lambda f: f._int_id(f.ctx.dist_list_id),
    "test_id": lambda f: f._int_id(f.ctx.test_id),
    "conf_id": lambda f: f.ctx.conf_id or f.webex.conf_id(),
    "lab_name": lambda f: f.ctx.lab_name or f"Lab{f.rnd.randint(1, 9)}",
    "lib_test_id": lambda f: f._int_id(f.ctx.lib_test_id),
    "test_participant": lambda f: f.ctx.test_participant or f.webex.webex_email("valid"),
    "image_base64": lambda f: _TINY_GIF,
    # a DetectSessionByCallback window: one to five minutes up to the reference time
    "window_start": lambda f: (f.ctx.now - timedelta(seconds=f.rnd.randint(60, 300))).strftime("%m/%d/%Y %H:%M:%S"),
    "window_end": lambda f: f.ctx.now.strftime("%m/%d/%Y %H:%M:%S"),
}

#: The ``gen`` names the catalogue may use.
GENERATORS = frozenset(_GENS)

_local = threading.local()


def faker_for(seed: int) -> Faker:
    """A cached (per thread) Faker with the Webex provider, re-seeded with ``seed``.

    Creating a Faker costs milliseconds; re-seeding costs microseconds and reproduces exactly
    what a fresh ``make_faker(seed)`` would generate.
    """
    fake: Faker | None = getattr(_local, "fake", None)
    if fake is None:
        fake = make_faker(seed)
        _local.fake = fake
        return fake
    return reseed(fake, seed)


def _spec(api_name: str | ApiSpec) -> ApiSpec:
    return api_name if isinstance(api_name, ApiSpec) else api(api_name)


def valid_body(api_name: str | ApiSpec, faker: Faker, ctx: GenContext | None = None) -> dict[str, Any]:
    """A valid body tree (``webex.envelope`` format) for ``api_name``, drawn from ``faker``.

    ``faker`` must carry :class:`generators.providers.WebexProvider` (see ``make_faker``); the
    result depends only on its random state and ``ctx``.
    """
    return _Filler(faker, ctx or _DEFAULT_CTX).body(_spec(api_name))


def valid_body_with_state(
    api_name: str | ApiSpec, faker: Faker, ctx: GenContext | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`valid_body` and the filler's shared state (``tz``, ``start``), for edge cases."""
    filler = _Filler(faker, ctx or _DEFAULT_CTX)
    return filler.body(_spec(api_name)), filler.state


def valid_envelope(api_name: str, seed: int, ctx: GenContext | None = None) -> bytes:
    """The complete request envelope (UTF-8 bytes) of a valid ``api_name`` request.

    Deterministic: the same ``seed`` and ``ctx`` give identical bytes.
    """
    spec = _spec(api_name)
    ctx = ctx or _DEFAULT_CTX
    body = valid_body(spec, faker_for(seed), ctx)
    return build_request(spec.service, spec.name, body, ctx.security)
