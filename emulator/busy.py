"""Busy sites: the emulator playing a shared production site.

A real customer site is never the harness's alone. A *busy* site (``webex-harness emulator --busy``
makes the default site busy; ``POST /_emulator/sites`` with ``"busy": {...}`` or ``true`` makes a
created one busy) has, besides everything an ordinary site has:

* **Colleagues and their objects.** ``colleagues`` foreign users join the site, and at creation the
  site gets ``meetings`` scheduled meetings (every other one with attendees; some hosted by
  colleagues invite the host), ``events``, ``training_sessions``, ``contacts`` and ``rest_meetings``
  REST meeting series — about half of each on the host's own account, the rest on colleagues'.
  They carry names like a company's real meetings ("Sprint planning", "Customer call: Contoso"),
  never the harness's prefix, and start between ``past_days`` ago and ``future_days`` ahead (half
  of them within the next week, so they show in every listing window the harness uses). They are
  created through the same handlers a client's request reaches, so every API answers for them
  as for any other object. The writer never changes or deletes them.
* **A background writer.** Every ``writer_every``-th request addressed to the site (XML or REST,
  503s included), before that request is answered and under the registry lock, the writer makes
  one move — see :class:`Writer` for exactly how it picks. It creates and deletes only objects of
  its own: it remembers each object it created (key and identity) and deletes nothing else, and
  never an object whose name starts with ``protected_prefix`` (the environment's cleanup prefix).
  Its moves call the service handlers directly, not through a request: they count towards no
  user's usage limit, no REST rate window and no request count.
* **Latency jitter.** Each answer to the site waits a random 0–``jitter_ms`` milliseconds
  (``asyncio.sleep`` after the answer is computed: the event loop keeps serving meanwhile).
* **Transient unavailability.** On average one request in ``unavailable_one_in`` (0 = never) is
  answered ``503 Service Unavailable`` with ``Retry-After: <retry_after_seconds>`` *before* it is
  processed: nothing changes (a create answered 503 created nothing). XML and REST only, never the
  control API.

Everything random comes from generators seeded with ``seed`` (one stream per concern, so switching
jitter off does not move the 503s): the same options and the same sequence of requests give the
same site. Without a ``seed`` one is drawn and shown in the site's state.

Options (``BusyOptions``; unknown names and wrong types are refused with one line):

=======================  =========  ===================================================================
option                   default    meaning
=======================  =========  ===================================================================
``seed``                 drawn      seed of every random choice (an integer)
``host``                 see below  webExID whose account gets the host's share of foreign objects
``colleagues``           6          foreign users added to the site (at most 12)
``meetings``             24         foreign scheduled meetings at creation
``events``               6          foreign Event Center events at creation
``training_sessions``    6          foreign training sessions at creation
``contacts``             8          foreign contacts at creation
``rest_meetings``        8          foreign REST meeting series at creation
``past_days``            14         seeded objects start at most this many days ago ...
``future_days``          21         ... and at most this many days ahead
``writer_every``         20         the writer moves once every N requests to the site (0 = off)
``writer_max_live``      12         most objects of its own the writer keeps at once
``jitter_ms``            5          added latency per answer: uniform 0..jitter_ms ms (0 = off)
``unavailable_one_in``   200        on average one 503 per N requests (0 = off)
``retry_after_seconds``  1          the 503's ``Retry-After``
``protected_prefix``     ``wxh``    the writer never touches objects whose names start with it
=======================  =========  ===================================================================

``host`` defaults to the site's user ``host`` when there is one, else its first user who is not a
site administrator (the account a site run acts as).
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from webex_harness.emulator.busy_state import (
    BusyOptions,
    BusyState,
)
from webex_harness.emulator.foreign_users import (
    COLLEAGUE_DOMAIN,
    COLLEAGUES,
    CONTACTS,
    DURATIONS,
    EVENT_NAMES,
    MEETING_NAMES,
    TIME_ZONES,
    TRAINING_NAMES,
    WRITER_KINDS,
    create_contact,
    create_rest_meeting,
    create_session,
    invoke_as,
)
from webex_harness.emulator.model import Session, Site, User, generate_password
from webex_harness.emulator.rest import rules as rest_rules
from webex_harness.emulator.rest.store import Series, Target, store

log = logging.getLogger("emulator.busy")

# ---------------------------------------------------------------- state


@dataclass(slots=True)
class Owned:
    """An object the writer created: what it is, its key, and the object itself (identity)."""

    kind: str
    ident: str
    ref: object
    owner: str
    name: str


def _stream(seed: int, concern: str) -> random.Random:
    return random.Random(f"{seed}:{concern}")


# ---------------------------------------------------------------- the writer


@dataclass
class Writer:
    """The foreign users' background activity on a busy site.

    One :meth:`move` every ``writer_every`` requests, drawn from the writer's own random stream:

    1. It forgets what it created that is gone or no longer the object it created (someone else
       deleted it, or the key now names another object).
    2. Its *deletable* objects are those still alive whose name does not start with
       ``protected_prefix`` (it checks the current name: a client may have renamed one). With
       ``writer_max_live`` objects alive it deletes (and does nothing when none is deletable);
       with none deletable it creates; otherwise it creates or deletes with even odds.
    3. **Create**: the owner is the host's account with probability 1/3, else a colleague chosen
       uniformly; the kind uniformly one of meeting, event, training session, REST meeting; the
       name one of the company names for that kind; the start 1 hour to 14 days ahead on a quarter
       hour, a duration of 30–90 minutes; a meeting invites 0–2 colleagues.
    4. **Delete**: uniformly one of its deletable objects (DelSession as its owner, or the REST
       series), and nothing else: nothing seeded, nothing a client created.
    """

    site: Site
    rng: random.Random
    protected_prefix: str
    max_live: int
    owned: list[Owned] = field(default_factory=list)
    created: int = 0
    deleted: int = 0
    moves: int = 0
    #: (move number, "create"/"delete", kind, key, owner, name) of the last moves, newest last
    log: list[tuple[int, str, str, str, str, str]] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    host: str = ""

    LOG_SIZE = 200

    def describe(self) -> dict[str, Any]:
        return {
            "moves": self.moves,
            "created": self.created,
            "deleted": self.deleted,
            "live": [{"kind": o.kind, "key": o.ident, "owner": o.owner, "name": o.name} for o in self.owned],
            "log": [
                {"move": m, "action": a, "kind": k, "key": key, "owner": owner, "name": name}
                for m, a, k, key, owner, name in self.log
            ],
        }

    def _alive(self, site: Site, item: Owned) -> bool:
        if item.kind == "rest":
            return store(site).get(item.ident) is item.ref
        return site.sessions.get(item.ident) is item.ref

    def _current_name(self, item: Owned) -> str:
        ref = item.ref
        if isinstance(ref, Session):
            return ref.name
        if isinstance(ref, Series):
            return str(ref.props.get("title", ""))
        return item.name

    def _protected(self, item: Owned) -> bool:
        return self._current_name(item).lower().startswith(self.protected_prefix.lower())

    def move(self) -> None:
        site = self.site
        self.moves += 1
        self.owned = [o for o in self.owned if self._alive(site, o)]
        deletable = [o for o in self.owned if not self._protected(o)]
        if len(self.owned) >= self.max_live:
            if deletable:
                self._delete(site, deletable)
        elif not deletable or self.rng.random() < 0.5:
            self._create(site)
        else:
            self._delete(site, deletable)

    def _record(self, action: str, item: Owned) -> None:
        self.log.append((self.moves, action, item.kind, item.ident, item.owner, item.name))
        del self.log[: -self.LOG_SIZE]

    def _create(self, site: Site) -> None:
        rng = self.rng
        colleagues = [u for u in (site.user(w) for w in self.owners) if u is not None]
        host = site.user(self.host)
        if host is not None and (not colleagues or rng.random() < 1 / 3):
            owner = host
        elif colleagues:
            owner = rng.choice(colleagues)
        else:
            return
        kind = rng.choice(WRITER_KINDS)
        offset = timedelta(minutes=15 * rng.randrange(4, 14 * 24 * 4))
        duration = rng.choice(DURATIONS)
        ref: object
        if kind == "rest":
            name = rng.choice(MEETING_NAMES)
            series = create_rest_meeting(site, owner, name, offset, duration)
            ident, ref = series.id, series
        else:
            name = rng.choice({"meeting": MEETING_NAMES, "event": EVENT_NAMES, "training": TRAINING_NAMES}[kind])
            guests = [c for c in colleagues if c is not owner]
            invitees = (
                [
                    (f"{c.first_name} {c.last_name}", c.email)
                    for c in rng.sample(guests, min(len(guests), rng.randrange(3)))
                ]
                if kind == "meeting"
                else []
            )
            session = create_session(site, kind, owner, name, offset, rng.choice(TIME_ZONES), duration, invitees)
            ident, ref = session.key, session
        item = Owned(kind, ident, ref, owner.webex_id, name)
        self.owned.append(item)
        self.created += 1
        self._record("create", item)

    def _delete(self, site: Site, deletable: list[Owned]) -> None:
        item = self.rng.choice(deletable)
        if item.kind == "rest":
            assert isinstance(item.ref, Series)
            rest_rules.delete(site, Target(item.ref, "meetingSeries"))
        else:
            owner = site.user(item.owner)
            if owner is None:  # its owner left the site: remove the session the way DelSession does
                site.remove_session(item.ident)
            else:
                invoke_as(site, owner, "ep", "DelSession", {"sessionKey": item.ident})
        self.owned.remove(item)
        self.deleted += 1
        self._record("delete", item)


# ---------------------------------------------------------------- making a site busy


def _host_of(site: Site, options: BusyOptions) -> User:
    if options.host:
        user = site.user(options.host)
        if user is None:
            user = site.add_user(User(options.host, generate_password(), email=f"{options.host.lower()}@example.com"))
        return user
    user = site.user("host") or next((u for u in site.users.values() if not u.site_admin), None)
    if user is None:
        user = site.add_user(
            User("host", generate_password(), email="host@example.com", first_name="Harness", last_name="Host")
        )
    return user


def _add_colleagues(site: Site, count: int) -> list[User]:
    added = []
    for webex_id, first, last in COLLEAGUES[:count]:
        user = site.user(webex_id) or site.add_user(
            User(
                webex_id, generate_password(), email=f"{webex_id}@{COLLEAGUE_DOMAIN}", first_name=first, last_name=last
            )
        )
        added.append(user)
    return added


def _offset(rng: random.Random, options: BusyOptions, index: int) -> timedelta:
    """Where seeded object ``index`` starts: a fifth in the past, half in the coming week (the
    windows listings use by default), the rest up to ``future_days`` ahead."""
    band = index % 10
    if band < 2 and options.past_days:
        low, high = -options.past_days * 24 * 60, -60
    elif band < 7:
        low, high = 60, min(7, options.future_days) * 24 * 60
    else:
        low, high = min(7, options.future_days) * 24 * 60, options.future_days * 24 * 60
    return timedelta(minutes=rng.randint(low, max(low, high)))


def _name_of(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.webex_id


def _seed(site: Site, state: BusyState, host: User, colleagues: list[User], rng: random.Random) -> None:
    """The foreign objects of a new busy site. Object ``index`` of each kind is on the host's
    account when ``index`` is even, else on colleague ``index // 2`` (round robin). Meetings with
    an odd index invite the host (when a colleague hosts it), two colleagues and one external
    contact; every fourth meeting two colleagues and one contact; every third event or training
    session two colleagues."""
    options = state.options

    def owner(index: int) -> User:
        if index % 2 == 0 or not colleagues:
            return host
        return colleagues[(index // 2) % len(colleagues)]

    def guests(who: User, colleague_count: int, contact_count: int) -> list[tuple[str, str]]:
        others = [c for c in colleagues if c is not who]
        people = [(_name_of(c), c.email) for c in rng.sample(others, min(len(others), colleague_count))]
        people += [(name, email) for name, _, email in rng.sample(CONTACTS, contact_count)]
        return people

    for index in range(options.meetings):
        who = owner(index)
        people: list[tuple[str, str]] = []
        if index % 2:
            people = [(_name_of(host), host.email)] if who is not host and host.email else []
            people += guests(who, 2, 1)
        elif index % 4 == 0:
            people = guests(who, 2, 1)
        create_session(
            site,
            "meeting",
            who,
            MEETING_NAMES[index % len(MEETING_NAMES)],
            _offset(rng, options, index),
            rng.choice(TIME_ZONES),
            rng.choice(DURATIONS),
            people,
        )
    for kind, count, names in (
        ("event", options.events, EVENT_NAMES),
        ("training", options.training_sessions, TRAINING_NAMES),
    ):
        for index in range(count):
            who = owner(index)
            people = guests(who, 2, 0) if index % 3 == 0 else []
            create_session(
                site,
                kind,
                who,
                names[index % len(names)],
                _offset(rng, options, index),
                rng.choice(TIME_ZONES),
                rng.choice(DURATIONS),
                people,
            )
    for index in range(options.rest_meetings):
        create_rest_meeting(
            site,
            owner(index),
            MEETING_NAMES[(index * 5) % len(MEETING_NAMES)],
            _offset(rng, options, index),
            rng.choice(DURATIONS),
        )
    for index in range(options.contacts):
        name, company, email = CONTACTS[index % len(CONTACTS)]
        create_contact(site, owner(index), name, company, email)
    state.seeded.update(
        meetings=options.meetings,
        events=options.events,
        training_sessions=options.training_sessions,
        rest_meetings=options.rest_meetings,
        contacts=options.contacts,
    )


def make_busy(site: Site, options: BusyOptions) -> BusyState:
    """Make ``site`` busy: colleagues, foreign objects, the writer (call under the registry lock,
    after the site's own users are added)."""
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    host = _host_of(site, options)
    colleagues = _add_colleagues(site, options.colleagues)
    writer = Writer(
        site,
        _stream(seed, "writer"),
        options.protected_prefix,
        options.writer_max_live,
        owners=[c.webex_id for c in colleagues],
        host=host.webex_id,
    )
    state = BusyState(
        options,
        seed,
        host.webex_id,
        [c.webex_id for c in colleagues],
        _stream(seed, "unavailable"),
        _stream(seed, "jitter"),
        writer,
    )
    _seed(site, state, host, colleagues, _stream(seed, "seed"))
    site.busy = state
    return state


__all__ = ["Writer", "make_busy"]
