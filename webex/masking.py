"""Mask credentials and secrets wherever envelopes, headers or logs are shown: the one masking.

Passwords, session tickets, access tokens, JWTs and the secrets of the objects a run creates
(meeting and panelist passwords, guest tokens, host keys) never reach a report, a log, a JUnit
message or an allure attachment. :func:`mask` hides (1) the text of the credential and object-secret elements in XML
(:data:`CREDENTIAL_ELEMENTS`, :data:`OBJECT_SECRET_ELEMENTS`), (2) ``Authorization``/``JWTToken``
header values and ``"password"``-like JSON fields, (3) JWTs, (4) the login ticket (``TK=``) of a URL API
login link and (5) any literal secret it is given, wherever it occurs.

:class:`SecretSet` is the run's one set of secrets: what the environment declares, what the sites
the run makes hand out, and what the run sees on the wire. The XML and REST clients mask their
records with it, the ledger its lines, the pytest plugin its reports — so a secret found once is
masked everywhere. Stands on nothing but the standard library.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MASK = "********"

#: the elements whose text is a credential, as the documents spell them (matched in any case and
#: namespace): the securityContext's password, ticket and tokens, a new user's password in
#: CreateUser / SetUser, a JWT, GetLoginTicket's login ticket
CREDENTIAL_ELEMENTS = ("password", "sessionTicket", "webExAccessToken", "accessToken", "JWTToken", "ticket")
#: the elements whose text is a secret of an object the run creates: a session's password (meeting,
#: event, training, teleconference, audio, an event's panelists'; ``meetingPW`` where GetjoinurlMeeting
#: is given it), its guest token and its host key
OBJECT_SECRET_ELEMENTS = (
    "meetingPassword",
    "eventPassword",
    "sessionPassword",
    "audioPassword",
    "panelistPassword",
    "meetingPW",
    "guestToken",
    "hostKey",
)
#: the fields of a REST meeting (its JSON) that are its secrets: its passwords (the meeting's, a
#: webinar's panelists', the numeric ones of video systems) and its host key
REST_SECRET_FIELDS = (
    "password",
    "phoneAndVideoSystemPassword",
    "panelistPassword",
    "phoneAndVideoSystemPanelistPassword",
    "hostKey",
)

#: the guest token of a join link (``…/j.php?MTID=m3f9…``): anyone holding the link joins the meeting —
#: a REST meeting's ``webLink``, the XML API's join and invitation URLs
_JOIN_TOKEN = re.compile(r"[?&]MTID=([A-Za-z0-9_-]+)")
#: the login ticket of a URL API login link (``…/p.php?AT=LI&…&TK=5d4e…``, GetloginurlUser): anyone holding
#: the link signs in as the user; in XML text the ``&`` before it is written ``&amp;``
_LOGIN_TICKET = re.compile(r"(?<![A-Za-z0-9_])(TK=)([A-Za-z0-9_-]+)")

_XML_SECRET = re.compile(
    r"(<(?:[\w.-]+:)?(" + "|".join(CREDENTIAL_ELEMENTS + OBJECT_SECRET_ELEMENTS) + r")\b[^>]*>)"
    r"((?:<!\[CDATA\[[\s\S]*?\]\]>|[^<])*)(</)",
    re.IGNORECASE,
)
#: also header dicts written as JSON or a Python repr (``{"Authorization": "Bearer …"}``) and any scheme
_HEADER_SECRET = re.compile(
    r"(?i)\b(authorization|jwttoken)([\"']?\s*[:=]\s*[\"']?)((?:bearer|basic|token)\s+)?([^\s,;\"']+)"
)
_JSON_SECRET = re.compile(
    r'(?i)("(?:token|access_token|rest_token|jwt_token|jwtToken|sessionTicket|webExAccessToken'
    r"|accessToken|refresh_token|" + "|".join(REST_SECRET_FIELDS) + r')"\s*:\s*")([^"]*)(")'
)
_JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+")
#: a run of token characters: every occurrence of a token-shaped secret lies inside one
_TOKEN = re.compile(r"[A-Za-z0-9_-]{6,}")
_TOKEN_FULL = re.compile(r"^[A-Za-z0-9_-]{6,}$")
#: the shortest literal secret masked (shorter ones would mask ordinary words)
_MIN_LITERAL = 3
#: the shortest secret taken from the wire (not declared)
_MIN_SEEN = 6
#: the runs of text a :class:`SecretSet` remembers as holding no secret (the same tags and values recur)
_CLEAN_RUNS = 20_000


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential replaced by ``********``: the element, header, JSON and JWT
    patterns, and each literal secret of at least three characters wherever it occurs."""
    out = _XML_SECRET.sub(lambda m: m.group(1) + (MASK if m.group(3) else "") + m.group(4), text)
    out = _HEADER_SECRET.sub(lambda m: m.group(1) + m.group(2) + (m.group(3) or "") + MASK, out)
    out = _JSON_SECRET.sub(lambda m: m.group(1) + MASK + m.group(3), out)
    out = _JWT.sub(MASK, out)
    out = _LOGIN_TICKET.sub(lambda m: m.group(1) + MASK, out) if "TK=" in out else out
    return _replace_literals(out, secrets)


def join_token(url: str) -> str | None:
    """The guest token of a join link (its ``MTID`` value), or None."""
    found = _JOIN_TOKEN.search(url)
    return found.group(1) if found else None


def login_tickets(text: str) -> list[str]:
    """The login tickets of every URL API login link in ``text`` (GetloginurlUser's ``userLoginURL``)."""
    return [m.group(2) for m in _LOGIN_TICKET.finditer(text)] if "TK=" in text else []


def join_tokens(text: str) -> list[str]:
    """The guest tokens of every join link in ``text`` (an answer's ``meetingLink``, ``joinMeetingURL`` …)."""
    return _JOIN_TOKEN.findall(text) if "MTID=" in text else []


def mask_bytes(data: bytes, secrets: Iterable[str] = ()) -> str:
    return mask(data.decode("utf-8", "replace"), secrets)


def _replace_literals(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret (longest first, at least :data:`_MIN_LITERAL` characters) replaced."""
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_LITERAL and s in text}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class SecretSet:
    """Every secret of a run: declared (the environment's), of the sites the run made, and seen on
    the wire (passwords signed in with, tickets and tokens handed out, created objects' passwords and
    guest tokens). One object, shared by everything that writes what a run did.

    :meth:`mask` is fast with thousands of them: a token-shaped secret (letters, digits, ``-``, ``_``)
    is looked up by its first characters within each run of token characters of the text (a run found
    clean is remembered until a secret is added); the few others (and the declared ones) are replaced
    as substrings. Either way a secret is masked wherever it occurs — except that a secret of digits
    only (a host key) is not masked inside a longer number. Thread-safe: the clients of a session add
    and mask from several threads.
    """

    def __init__(self, declared: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._heads: set[str] = set()  # the first characters of each token-shaped secret
        self._lengths: list[int] = []  # the lengths of the token-shaped secrets, longest first
        self._clean: set[str] = set()  # runs of text known to hold none (tag names, namespaces …)
        self._odd: set[str] = set()
        self._declared: set[str] = set()
        for value in declared:
            self.add(value, declared=True)

    def add(self, value: str | None, *, declared: bool = False) -> None:
        """A secret from now on: a declared one of at least 3 characters, one seen on the wire of at least 6."""
        if not value or len(value) < (_MIN_LITERAL if declared else _MIN_SEEN) or value == MASK:
            return
        with self._lock:
            if declared:
                self._declared.add(value)
            if _TOKEN_FULL.match(value):
                self._tokens.add(value)
                self._clean.clear()
                self._heads.add(value[:_MIN_SEEN])
                if len(value) not in self._lengths:
                    self._lengths = sorted({*self._lengths, len(value)}, reverse=True)
            else:
                self._odd.add(value)

    def update(self, values: Iterable[str], *, declared: bool = False) -> None:
        for value in values:
            self.add(value, declared=declared)

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._tokens | self._odd)

    def __len__(self) -> int:
        return len(self._tokens) + len(self._odd)

    def mask(self, text: str, *, patterns: bool = True, also: Iterable[str] = ()) -> str:
        """``text`` masked with every secret of the set and ``also`` (a client's own credentials,
        literal); ``patterns=False`` skips :func:`mask`'s element, header, JSON and JWT patterns."""
        if not text:
            return text
        with self._lock:
            literal = [*self._odd, *self._declared, *also]
            out = mask(text, literal) if patterns else _replace_literals(text, literal)
            if self._tokens:
                out = _TOKEN.sub(lambda m: self._mask_run(m.group(0)), out)
        return out

    def _mask_run(self, run: str) -> str:
        """A run of token characters with every token-shaped secret in it masked, longest first: found
        where the first :data:`_MIN_SEEN` characters of one stand (the run is read once)."""
        if run in self._clean:
            return run
        if run in self._tokens:
            return MASK
        heads, tokens, lengths = self._heads, self._tokens, self._lengths
        parts: list[str] = []
        done = i = 0
        last = len(run) - _MIN_SEEN
        while i <= last:
            if run[i : i + _MIN_SEEN] in heads:
                found = next(
                    (n for n in lengths if i + n <= len(run) and run[i : i + n] in tokens and _apart(run, i, n)), 0
                )
                if found:
                    parts += [run[done:i], MASK]
                    i = done = i + found
                    continue
            i += 1
        if parts:
            return "".join(parts) + run[done:]
        if len(self._clean) >= _CLEAN_RUNS:
            self._clean.clear()
        self._clean.add(run)
        return run

    def leaks(self, text: str) -> bool:
        return self.mask(text) != text


def _apart(run: str, start: int, length: int) -> bool:
    """Whether the secret at ``run[start:start + length]`` may be masked there: always, unless it is all
    digits (a host key, a video-system password) standing inside a longer number — a meeting key or a
    time stamp that merely contains those digits is not the secret."""
    if not run[start : start + length].isdigit():
        return True
    end = start + length
    return (start == 0 or not run[start - 1].isdigit()) and (end == len(run) or not run[end].isdigit())


__all__ = [
    "CREDENTIAL_ELEMENTS",
    "MASK",
    "OBJECT_SECRET_ELEMENTS",
    "REST_SECRET_FIELDS",
    "SecretSet",
    "join_token",
    "join_tokens",
    "login_tickets",
    "mask",
    "mask_bytes",
]
