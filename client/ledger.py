"""The clean-up ledger: everything a run creates on a target, written down before it is created.

A run must leave a site as it found it, even when it is interrupted. Every object a run creates —
meeting, event, training session, teleconference, support session, attendee, user, contact,
scheduled test, REST meeting — is recorded in ``reports/<run-id>/ledger-<run-id>.jsonl``
(append-only, one JSON object a line, shared by the xdist workers of the run):

``intent``       written **before** the create is sent: ``kind``, ``api`` (the create API),
                 ``site``, ``owner`` (the caller's webExID), ``name`` (confName, webExId, title …),
                 ``delete_api`` and a ``ref`` the outcome refers to
``created``      the create succeeded: the same fields plus ``id`` (meetingkey, sessionKey,
                 attendeeId, webExId, contactID, testID, REST id), ``uuid`` (meetingUUID) and
                 ``parent`` / ``parent_field`` (the session an attendee or test belongs to)
``not-created``  the create was refused (a FAILURE envelope, a 4xx)
``deleted``      the object is gone: deleted by a test (``by: "test"``, seen on the wire) or by
                 clean-up (``by: "cleanup"``, ``verified``: a Get said it is gone)
``left``         clean-up could not remove it (``reason``): no delete API, no credentials, budget

Every line also carries ``run_id``, ``worker`` and ``at`` (UTC, ISO 8601). Nothing secret is ever
written: no password, ticket or token — only names and IDs.

The ledger needs nothing from the tests: :class:`LedgerHooks` are ``httpx`` event hooks on the
client every harness client shares. They read the API name from the request envelope's
``bodyContent xsi:type`` (``POST …/v1/meetings`` for REST), write the intent before the request
leaves, and read the new key from the answer. Deletions the tests do themselves are seen the same
way, so only what a run really left behind is cleaned up.

:class:`Cleaner` deletes what is outstanding with the matching Del API (DelMeeting, DelEvent,
DelTrainingSession, ep DelSession, DelMeetingAttendee, DelUser, DelScheduledTest;
``DELETE /v1/meetings/{id}``), newest first, and verifies each with a Get or a listing filtered
by its key (GetMeeting, GetEvent, GetTeleconferenceSession, LstsummarySession, …;
``GET /v1/meetings/{id}`` → 404) — never with GetSessionInfo or GetUserCard, whose "no data
found" answers count towards the site's usage limit (client/usage_guard.py). Webex has no API
that deletes a contact, and DelUser deactivates (the account stays, ``active`` DEACTIVATED): both are reported as such.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
from lxml import etree

from client.xml_client import BudgetExceeded, RequestBudget, XmlClient
from webex.envelope import Security, XmlResponse, parse_response
from webex.namespaces import XSI

#: Webex exception IDs meaning "there is no such object" (webex/errors.py)
GONE_IDS = frozenset({"000015", "060001", "030001"})
SESSION_KINDS = ("meeting", "event", "training", "teleconference", "support", "session")
REST_MEETING = "rest-meeting"
#: a run ID as :func:`workspace.run_folder.new_run_id` makes them
RUN_ID_PATTERN = r"\d{8}-\d{6}-[0-9a-f]{4}"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
#: for envelopes lxml refuses but a liberal server might still act on
_RECOVER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


@dataclass(frozen=True, slots=True)
class Kind:
    """What the harness knows about one kind of object: how it is created, deleted, checked."""

    name: str
    #: local names (any case) of the response elements carrying the new object's ID
    id_elements: tuple[str, ...]
    #: (service, API, element naming the object), or None: no API deletes it
    delete: tuple[str, str, str] | None
    #: (service, API, element) of the Get that proves it gone; element "parent" = the parent session
    verify: tuple[str, str, str] | None
    #: the ID is the request's element of this name (CreateUser: webExId), not the answer's
    id_from_request: str | None = None
    note: str = ""


_ATTENDEE_DELETE = ("attendee", "DelMeetingAttendee", "attendeeID")
_ATTENDEE_VERIFY = ("attendee", "LstMeetingAttendee", "parent")
#: a session proved gone by a listing filtered by its key: GetSessionInfo would feed the usage limit
#: (every "no data found" answer of it counts towards the 403 block, client/usage_guard.py)
_SESSION_LISTED = ("ep", "LstsummarySession", "sessionKey")

#: the create APIs, by API name
CREATES: dict[str, Kind] = {
    "CreateMeeting": Kind("meeting", ("meetingkey",), ("meeting", "DelMeeting", "meetingKey"),
                          ("meeting", "GetMeeting", "meetingKey")),
    "CreateEvent": Kind("event", ("sessionkey",), ("event", "DelEvent", "sessionKey"),
                        ("event", "GetEvent", "sessionKey")),
    "CreateTrainingSession": Kind("training", ("sessionkey",), ("training", "DelTrainingSession", "sessionKey"),
                                  ("training", "GetTrainingSession", "sessionKey")),
    "CreateTeleconferenceSession": Kind("teleconference", ("sessionkey",), ("ep", "DelSession", "sessionKey"),
                                        ("teleconference", "GetTeleconferenceSession", "sessionKey")),
    "CreateSupportSession": Kind("support", ("sessionkey",), ("ep", "DelSession", "sessionKey"),
                                 _SESSION_LISTED),
    "CreateMeetingAttendee": Kind("attendee", ("attendeeid",), _ATTENDEE_DELETE, _ATTENDEE_VERIFY),
    "RegisterMeetingAttendee": Kind("attendee", ("attendeeid",), _ATTENDEE_DELETE, _ATTENDEE_VERIFY),
    "CreateUser": Kind("user", (), ("user", "DelUser", "webExId"), ("user", "GetUser", "webExId"),
                       id_from_request="webexid", note="DelUser deactivates: the account stays, DEACTIVATED"),
    "CreateContact": Kind("contact", ("contactid",), None, None,
                          note="the XML API has no call that deletes a contact"),
    "AddScheduledTest": Kind("scheduled-test", ("testid",), ("training", "DelScheduledTest", "testID"),
                             ("training", "LstScheduledTests", "parent")),
}
_CREATES_ANY_CASE = {api.lower(): api for api in CREATES}
_KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in CREATES.values()}
_REST_KIND = Kind(REST_MEETING, ("id",), ("rest", "DELETE", "/meetings/{id}"), ("rest", "GET", "/meetings/{id}"))
_KIND_BY_NAME[REST_MEETING] = _REST_KIND
#: a session of any kind found by its name (ep DelSession / LstsummarySession work for every kind)
_KIND_BY_NAME["session"] = Kind("session", ("sessionkey",), ("ep", "DelSession", "sessionKey"), _SESSION_LISTED)
#: verifications that list: the element naming the object in the listing
_LISTED_ID = {"attendee": "attendeeid", "scheduled-test": "testid"}

#: delete APIs the tests send themselves: API -> (kinds it deletes, request elements naming the object)
_DELETES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DelMeeting": (("meeting",), ("meetingkey", "meetinguuid")),
    "DelEvent": (("event",), ("sessionkey", "meetinguuid")),
    "DelTrainingSession": (("training",), ("sessionkey", "meetinguuid")),
    "DelSession": (SESSION_KINDS, ("sessionkey", "meetingkey", "meetinguuid")),
    "DelMeetingAttendee": (("attendee",), ("attendeeid",)),
    "DelUser": (("user",), ("webexid",)),
    "DelScheduledTest": (("scheduled-test",), ("testid",)),
}
_DELETES_ANY_CASE = {api.lower(): api for api in [*_DELETES, "SetUser"]}
_SECRET_ELEMENTS = {"password", "sessionticket", "webexaccesstoken", "accesstoken", "jwttoken"}


def kind(name: str) -> Kind:
    return _KIND_BY_NAME[name]


def delete_api_name(k: Kind) -> str:
    if k.delete is None:
        return "none"
    if k.name == REST_MEETING:
        return "DELETE /v1/meetings/{id}"
    return k.delete[1]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def ledger_path(run_dir: Path, run_id: str) -> Path:
    return run_dir / f"ledger-{run_id}.jsonl"


def run_name(prefix: str, run_id: str, suffix: str = "") -> str:
    """``<cleanup_prefix>-<run-id>-<suffix>``: a name clean-up can find without the ledger."""
    return f"{prefix}-{run_id}-{suffix}" if suffix else f"{prefix}-{run_id}"


# ---------------------------------------------------------------- the record


@dataclass(slots=True)
class Obj:
    """One object of the ledger, as its lines add up."""

    kind: str
    site: str
    id: str
    run_id: str = ""
    uuid: str | None = None
    parent: str | None = None
    parent_field: str | None = None
    owner: str | None = None
    name: str | None = None
    api: str = ""
    created_at: str = ""
    status: str = "created"  # created | deleted | left
    reason: str = ""
    seq: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.site.lower(), self.id)

    def describe(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"{self.kind} {self.id}{label} on site {self.site}"



@dataclass
class LedgerState:
    """Objects and unresolved intents folded from ledger lines (one run's, or several)."""

    objects: dict[tuple[str, str, str], Obj] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolved: set[str] = field(default_factory=set)

    def apply(self, rec: dict[str, Any]) -> None:
        event = rec.get("event")
        if event == "intent":
            self.intents[str(rec.get("ref"))] = rec
        elif event == "not-created":
            self.resolved.add(str(rec.get("ref")))
        elif event == "created":
            self.resolved.add(str(rec.get("ref")))
            obj = Obj(kind=str(rec["kind"]), site=str(rec["site"]), id=str(rec["id"]),
                      run_id=str(rec.get("run_id", "")),
                      uuid=rec.get("uuid"), parent=rec.get("parent"), parent_field=rec.get("parent_field"),
                      owner=rec.get("owner"), name=rec.get("name"), api=str(rec.get("api", "")),
                      created_at=str(rec.get("created_at") or rec.get("at") or ""), seq=len(self.objects) + 1)
            self.objects[obj.key] = obj
        elif event in ("deleted", "left"):
            obj = self.objects.get((str(rec.get("kind")), str(rec.get("site", "")).lower(), str(rec.get("id"))))
            if obj is not None and obj.status != "deleted":
                obj.status = "deleted" if event == "deleted" else "left"
                obj.reason = str(rec.get("reason", ""))

    def outstanding(self) -> list[Obj]:
        """Objects not (yet) deleted, newest first — children before the sessions they belong to."""
        return sorted((o for o in self.objects.values() if o.status != "deleted"), key=lambda o: -o.seq)

    def unresolved(self) -> list[dict[str, Any]]:
        """Intents whose outcome never arrived (the run died while the create was in flight) —
        but not an attendee's or a test's whose session is gone: it went with it."""
        out = []
        for ref, i in self.intents.items():
            if ref in self.resolved:
                continue
            parent = self.find(SESSION_KINDS, str(i.get("site", "")), str(i["parent"])) if i.get("parent") else None
            if parent is None or parent.status != "deleted":
                out.append(i)
        return out

    def find(self, kinds: Iterable[str], site: str, ident: str) -> Obj | None:
        low = site.lower()
        for o in self.objects.values():
            if o.kind in kinds and o.site.lower() == low and (o.id == ident or (o.uuid or "") == ident.lower()):
                return o
        return None



def read_lines(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every record of these ledger files (lines that are not JSON — a torn last line — skipped)."""
    out: list[dict[str, Any]] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                out.append(rec)
    return out


def fold(records: Iterable[dict[str, Any]]) -> LedgerState:
    state = LedgerState()
    for rec in records:
        state.apply(rec)
    return state


def find_ledgers(reports: Path, run_id: str | None = None) -> list[Path]:
    """The ledgers of one run (``reports/<run-id>/ledger-*.jsonl``) or of every run under ``reports``."""
    if run_id:
        return sorted((reports / run_id).glob("ledger-*.jsonl"))
    return sorted(reports.glob("*/ledger-*.jsonl"))


def summarise(run_dir: Path) -> dict[str, Any] | None:
    """What the run's ledger says: counts, and what was left behind (for the summary)."""
    records = read_lines(sorted(run_dir.glob("ledger-*.jsonl")))
    if not records:
        return None
    state = fold(records)
    deleted = [r for r in records if r.get("event") == "deleted"]
    by_kind: dict[str, int] = {}
    for o in state.objects.values():
        by_kind[o.kind] = by_kind.get(o.kind, 0) + 1
    return {
        "ledger": sorted(p.name for p in run_dir.glob("ledger-*.jsonl")),
        "created": len(state.objects),
        "by_kind": by_kind,
        "deleted_by_tests": sum(1 for r in deleted if r.get("by") == "test"),
        "removed_by_cleanup": sum(1 for r in deleted if r.get("by") == "cleanup" and r.get("removed", True)),
        "found_gone_by_cleanup": sum(1 for r in deleted if r.get("by") == "cleanup" and not r.get("removed", True)),
        "left": [{"kind": o.kind, "id": o.id, "site": o.site, "name": o.name, "reason": o.reason}
                 for o in state.outstanding()],
        "unresolved_intents": [{"kind": i.get("kind"), "api": i.get("api"), "site": i.get("site"),
                                "name": i.get("name")} for i in state.unresolved()],
    }


class Ledger:
    """Writes ledger lines (to ``path`` when given, always to memory) and folds them."""

    def __init__(self, run_id: str, path: Path | None = None, worker: str = "main") -> None:
        self.run_id = run_id
        self.path = path
        self.worker = worker
        self.records: list[dict[str, Any]] = []
        self._state = LedgerState()
        self._lock = threading.RLock()
        self._fd: int | None = None
        self._refs = 0

    def _write(self, event: str, **fields: Any) -> dict[str, Any]:
        rec = {"event": event, "run_id": self.run_id, "worker": self.worker, "at": _now(), **fields}
        line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            if self.path is not None:
                if self._fd is None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.write(self._fd, line)  # one write per line: O_APPEND keeps the workers' lines whole
            self.records.append(rec)
            self._state.apply(rec)
        return rec

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def state(self) -> LedgerState:
        """The live fold of this ledger's own lines (not other workers')."""
        return self._state

    # -- the events ----------------------------------------------------------------------
    def intent(self, k: Kind, api: str, site: str, owner: str | None, name: str | None,
               parent: str | None = None) -> str:
        with self._lock:
            self._refs += 1
            ref = f"{self.worker}-{os.getpid()}-{self._refs}"
        extra = {"parent": parent} if parent else {}
        self._write("intent", ref=ref, kind=k.name, api=api, site=site, owner=owner, name=name,
                    delete_api=delete_api_name(k), **extra)
        return ref

    def created(self, ref: str, k: Kind, api: str, site: str, owner: str | None, name: str | None, ident: str,
                uuid: str | None = None, parent: str | None = None, parent_field: str | None = None) -> None:
        self._write("created", ref=ref, kind=k.name, api=api, site=site, owner=owner, name=name, id=ident,
                    uuid=uuid, parent=parent, parent_field=parent_field, created_at=_now(),
                    delete_api=delete_api_name(k))

    def not_created(self, ref: str, reason: str) -> None:
        self._write("not-created", ref=ref, reason=reason[:200])

    def deleted(self, obj: Obj, by: str, verified: bool, how: str = "", removed: bool = True) -> None:
        """``removed``: this delete removed it (False: it was found already gone)."""
        self._write("deleted", kind=obj.kind, site=obj.site, id=obj.id, name=obj.name, by=by, verified=verified,
                    removed=removed, how=how)

    def left(self, obj: Obj, reason: str) -> None:
        self._write("left", kind=obj.kind, site=obj.site, id=obj.id, name=obj.name, reason=reason)

    def error(self, where: str, exc: BaseException) -> None:
        """A request the ledger could not read (recorded by type only: no text that might hold a secret)."""
        self._write("hook-error", where=where, error=type(exc).__name__)


# ---------------------------------------------------------------- reading envelopes


def _local(tag: Any) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _first(node: etree._Element, *names: str) -> str | None:
    """Text of the first descendant with one of these local names (any case), in ``names`` order."""
    for name in names:
        for el in node.iter():
            if _local(el.tag) == name and el.text and el.text.strip():
                return el.text.strip()
    return None


def _all(node: etree._Element, names: Iterable[str]) -> list[str]:
    wanted = set(names)
    return [el.text.strip() for el in node.iter() if _local(el.tag) in wanted and el.text and el.text.strip()]


@dataclass(slots=True)
class _Body:
    index: int
    api: str
    node: etree._Element


@dataclass(slots=True)
class _Request:
    site: str
    owner: str | None
    password: str | None
    bodies: list[_Body]
    secrets: list[str]


def parse_request(raw: bytes) -> _Request | None:
    """Site, caller, bodyContents (API from ``xsi:type``) and credentials of a request envelope."""
    try:
        root = etree.fromstring(raw, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        try:
            root = etree.fromstring(raw, _RECOVER)
        except (etree.XMLSyntaxError, ValueError):
            return None
        if root is None:
            return None
    ctx = next((el for el in root.iter() if _local(el.tag) == "securitycontext"), None)
    site = owner = password = None
    secrets: list[str] = []
    if ctx is not None:
        site = _first(ctx, "sitename") or (f"siteID:{sid}" if (sid := _first(ctx, "siteid")) else None)
        owner = _first(ctx, "webexid")
        password = _first(ctx, "password")
        secrets += _all(ctx, _SECRET_ELEMENTS)
    bodies = []
    for i, el in enumerate(e for e in root.iter() if _local(e.tag) == "bodycontent"):
        xsi_type = el.get(f"{{{XSI}}}type") or ""
        api = xsi_type.rsplit(".", 1)[-1].strip()
        api = _CREATES_ANY_CASE.get(api.lower()) or _DELETES_ANY_CASE.get(api.lower()) or api
        bodies.append(_Body(i, api, el))
        secrets += _all(el, ("password",))  # CreateUser/SetUser: the new user's password
    return _Request(site or "?", owner, password, bodies, secrets)


def _name_of(node: etree._Element) -> str | None:
    return _first(node, "confname", "sessionname", "webexid", "name", "email", "title")


def _parent_of(node: etree._Element) -> tuple[str | None, str | None]:
    for el in node.iter():
        name = _local(el.tag)
        if name in ("sessionkey", "meetingkey", "meetinguuid") and el.text and el.text.strip():
            return el.text.strip(), {"sessionkey": "sessionKey", "meetingkey": "meetingKey"}.get(name, "meetingUUID")
    return None, None


# ---------------------------------------------------------------- the httpx hooks


@dataclass(slots=True)
class _PendingCreate:
    ref: str
    kind: Kind
    body: _Body
    name: str | None
    site: str
    owner: str | None


@dataclass(slots=True)
class _Pending:
    xml: _Request | None = None
    creates: list[_PendingCreate] = field(default_factory=list)
    deletes: list[tuple[_Body, tuple[str, ...], list[str]]] = field(default_factory=list)
    reactivations: list[str] = field(default_factory=list)
    rest_create: tuple[str, str, str | None] | None = None  # (ref, site, title)
    rest_delete: tuple[str, str] | None = None  # (site, id)
    #: credentials the request carries: secrets once the target accepts them
    secrets: list[str] = field(default_factory=list)


class LedgerHooks:
    """``httpx`` event hooks that keep the ledger, and hand every credential they see to ``on_secret``.

    ``site_for_token`` maps a REST bearer token to its site (the ledger never stores tokens).
    ``on_credentials(site, webex_id, security)`` learns the passwords users sign in with, so
    clean-up can act as the user who created an object.
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        rest_url: str | None = None,
        site_for_token: Callable[[str], str | None] = lambda token: None,
        on_secret: Callable[[str], None] | None = None,
        on_credentials: Callable[[str, str, Security], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.rest_url = rest_url.rstrip("/") if rest_url else None
        self.site_for_token = site_for_token
        self.on_secret = on_secret or (lambda s: None)
        self.on_credentials = on_credentials
        self._pending: dict[int, tuple[httpx.Request, _Pending]] = {}
        self._lock = threading.Lock()

    def install(self, http: httpx.Client) -> httpx.Client:
        hooks = http.event_hooks
        hooks.setdefault("request", []).append(self.on_request)
        hooks.setdefault("response", []).append(self.on_response)
        http.event_hooks = hooks
        return http

    # -- classification --------------------------------------------------------------------
    @staticmethod
    def _is_xml(request: httpx.Request) -> bool:
        return request.method == "POST" and request.url.path.lower().rstrip("/").endswith("/wbxservice/xmlservice")

    def _rest_tail(self, request: httpx.Request) -> str | None:
        if not self.rest_url:
            return None
        url = str(request.url).split("?", 1)[0]
        if not url.startswith(self.rest_url):
            return None
        return url[len(self.rest_url):] or "/"

    def _bearer(self, request: httpx.Request) -> str | None:
        auth = request.headers.get("authorization") or ""
        scheme, _, token = auth.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else auth.strip()
        return token or None

    # -- hooks -----------------------------------------------------------------------------
    def on_request(self, request: httpx.Request) -> None:
        pending: _Pending | None = None
        if self._is_xml(request):
            pending = self._xml_request(request)
        else:
            tail = self._rest_tail(request)
            if tail is not None:
                pending = self._rest_request(request, tail)
        headers = [v.split(" ", 1)[-1].strip() for h in ("authorization", "jwttoken") if (v := request.headers.get(h))]
        if headers:
            pending = pending or _Pending()
            pending.secrets += headers
        if pending is not None:
            with self._lock:  # the request is kept with it: its id() cannot be reused meanwhile
                self._pending[id(request)] = (request, pending)

    def _xml_request(self, request: httpx.Request) -> _Pending | None:
        try:
            parsed = parse_request(request.content)
        except Exception as exc:  # a hostile envelope must not break the request
            self.ledger.error("request", exc)
            return None
        if parsed is None:
            return None
        pending = _Pending(xml=parsed, secrets=list(parsed.secrets))
        for body in parsed.bodies:
            k = CREATES.get(body.api)
            if k is not None:
                name = _name_of(body.node)
                parent = _parent_of(body.node)[0] if k.name in ("attendee", "scheduled-test") else None
                # written before the request leaves: an OSError here aborts the create
                ref = self.ledger.intent(k, body.api, parsed.site, parsed.owner, name, parent)
                pending.creates.append(_PendingCreate(ref, k, body, name, parsed.site, parsed.owner))
            elif body.api in _DELETES:
                kinds, elements = _DELETES[body.api]
                pending.deletes.append((body, kinds, _all(body.node, elements)))
            elif body.api == "SetUser" and (_first(body.node, "active") or "").upper() == "ACTIVATED":
                webex_id = _first(body.node, "webexid")
                if webex_id:
                    pending.reactivations.append(webex_id)
        return pending

    def _rest_request(self, request: httpx.Request, tail: str) -> _Pending | None:
        token = self._bearer(request)
        site = (self.site_for_token(token) if token else None) or "?"
        parts = [p for p in tail.split("/") if p]
        if request.method == "POST" and parts == ["meetings"]:
            title = None
            try:
                data = json.loads(request.content or b"{}")
                title = str(data.get("title")) if isinstance(data, dict) and data.get("title") is not None else None
            except ValueError:
                pass
            ref = self.ledger.intent(_REST_KIND, "POST /v1/meetings", site, None, title)
            return _Pending(rest_create=(ref, site, title))
        if request.method == "DELETE" and len(parts) == 2 and parts[0] == "meetings":
            return _Pending(rest_delete=(site, unquote(parts[1])))
        return None

    def on_response(self, response: httpx.Response) -> None:
        with self._lock:
            entry = self._pending.pop(id(response.request), None)
        pending = entry[1] if entry is not None and entry[0] is response.request else None
        is_xml = self._is_xml(response.request)
        if pending is None and not is_xml:
            return
        response.read()
        try:
            accepted = self._accepted(response, is_xml)
            if is_xml:
                self._harvest(response.content)
            if pending is None:
                return
            if accepted:
                # a credential the target accepted is a secret; a refused one is test data
                self._credentials(pending)
            if pending.xml is not None:
                if pending.creates or pending.deletes or pending.reactivations:
                    self._xml_response(pending, response)
            elif pending.rest_create is not None:
                self._rest_created(pending.rest_create, response)
            elif pending.rest_delete is not None and response.status_code in (200, 204):
                self._mark_deleted((REST_MEETING,), pending.rest_delete[0], pending.rest_delete[1], "DELETE")
        except Exception as exc:  # the ledger must never break a test's request
            self.ledger.error("response", exc)

    @staticmethod
    def _accepted(response: httpx.Response, is_xml: bool) -> bool:
        if not is_xml:
            return response.status_code not in (401, 403)
        return b">SUCCESS<" in response.content

    def _credentials(self, pending: _Pending) -> None:
        for secret in pending.secrets:
            self.on_secret(secret)
        parsed = pending.xml
        if self.on_credentials and parsed is not None and parsed.owner and parsed.password:
            self.on_credentials(parsed.site, parsed.owner, Security(parsed.site, parsed.owner, parsed.password))

    def _harvest(self, raw: bytes) -> None:
        """Tickets and tokens a response hands out are secrets from now on."""
        if b"icket" not in raw and b"ccessToken" not in raw and b"ccesstoken" not in raw:
            return
        try:
            root = etree.fromstring(raw, _PARSER)
        except (etree.XMLSyntaxError, ValueError):
            return
        for value in _all(root, _SECRET_ELEMENTS):
            self.on_secret(value)

    def _xml_response(self, pending: _Pending, response: httpx.Response) -> None:
        parsed = parse_response(response.content, response.status_code)
        n_bodies = len(pending.xml.bodies) if pending.xml else 0
        for create in pending.creates:
            outcome = _outcome(parsed, create.body.index, n_bodies)
            if outcome is None:
                if 400 <= response.status_code < 500 and parsed.result == "INVALID":
                    self.ledger.not_created(create.ref, f"HTTP {response.status_code}")
                continue  # unknown outcome: the intent stays open for the prefix search
            result, body = outcome
            if result != "SUCCESS":
                self.ledger.not_created(create.ref, result)
                continue
            self._created(create, body)
        for body_req, kinds, idents in pending.deletes:
            outcome = _outcome(parsed, body_req.index, n_bodies)
            if outcome is not None and outcome[0] == "SUCCESS" and pending.xml is not None:
                for ident in idents:
                    self._mark_deleted(kinds, pending.xml.site, ident, body_req.api)
        if pending.reactivations and parsed.ok and pending.xml is not None:
            state = self.ledger.state()
            for webex_id in pending.reactivations:
                obj = state.find(("user",), pending.xml.site, webex_id)
                if obj is not None and obj.status == "deleted":
                    k = kind("user")
                    ref = self.ledger.intent(k, "SetUser", obj.site, pending.xml.owner, obj.name)
                    self.ledger.created(ref, k, "SetUser", obj.site, pending.xml.owner, obj.name, obj.id)

    def _created(self, create: _PendingCreate, body: etree._Element | None) -> None:
        k = create.kind
        if k.id_from_request:
            ids = [i for i in [_first(create.body.node, k.id_from_request)] if i]
        else:
            ids = _all(body, k.id_elements) if body is not None else []
        if not ids:
            self.ledger.not_created(create.ref, "SUCCESS without an ID")
            return
        uuid = _first(body, "meetinguuid") if body is not None and k.name in SESSION_KINDS else None
        parent, parent_field = (None, None)
        if k.name in ("attendee", "scheduled-test"):
            parent, parent_field = _parent_of(create.body.node)
        for ident in dict.fromkeys(ids):  # an attendee answered twice (duplicate e-mail) is one object
            self.ledger.created(create.ref, k, create.body.api, create.site, create.owner, create.name, ident,
                                uuid=uuid.lower() if uuid else None, parent=parent, parent_field=parent_field)

    def _rest_created(self, rest: tuple[str, str, str | None], response: httpx.Response) -> None:
        ref, site, title = rest
        status = response.status_code
        if status in (200, 201):
            try:
                data = response.json()
            except ValueError:
                data = None
            ident = data.get("id") if isinstance(data, dict) else None
            if ident:
                self.ledger.created(ref, _REST_KIND, "POST /v1/meetings", site, None, title, str(ident))
                return
        if 400 <= status < 500:
            self.ledger.not_created(ref, f"HTTP {status}")

    def _mark_deleted(self, kinds: tuple[str, ...], site: str, ident: str, how: str) -> None:
        obj = self.ledger.state().find(kinds, site, ident)
        if obj is not None and obj.status != "deleted":
            self.ledger.deleted(obj, by="test", verified=False, how=how)


def _outcome(parsed: XmlResponse, index: int, n_bodies: int) -> tuple[str, etree._Element | None] | None:
    """(result, answer body) of the request's ``index``-th bodyContent, or None when unknown."""
    if parsed.result == "INVALID" and not parsed.results:
        return None
    if len(parsed.results) == n_bodies and index < len(parsed.results):
        body = parsed.bodies[index] if index < len(parsed.bodies) else None
        return parsed.results[index].get("result") or "INVALID", body
    if len(parsed.results) == 1 and parsed.results[0].get("result") == "FAILURE":
        return "FAILURE", None  # the whole request was refused (000053, an auth failure …)
    return None


# ---------------------------------------------------------------- clean-up


@dataclass
class CleanupResult:
    removed: list[dict[str, Any]] = field(default_factory=list)
    already_gone: list[dict[str, Any]] = field(default_factory=list)
    left: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: CleanupResult) -> None:
        self.removed += other.removed
        self.already_gone += other.already_gone
        self.left += other.left
        self.unresolved += other.unresolved

    @property
    def ok(self) -> bool:
        """Nothing deletable was left behind."""
        return not [x for x in self.left if not x.get("undeletable")]

    def to_dict(self) -> dict[str, Any]:
        return {"removed": self.removed, "already_gone": self.already_gone, "left": self.left,
                "unresolved": self.unresolved}

    def lines(self) -> list[str]:
        out = [f"removed {x['what']} ({x['how']})" for x in self.removed]
        out += [f"already gone: {x['what']}" for x in self.already_gone]
        out += [f"LEFT {x['what']}: {x['reason']}" for x in self.left]
        out += [f"unknown outcome: {x['api']} {x.get('name')!r} on site {x.get('site')} (the run stopped while it "
                "was in flight; not found by name either)" for x in self.unresolved]
        return out


CredentialsFor = Callable[[str, str | None], list[Security]]
TokenFor = Callable[[str], str | None]


class Cleaner:
    """Delete outstanding objects with their Del API and prove each gone with a Get.

    ``credentials(site, owner)`` lists who may delete on that site (the creator first);
    ``token(site)`` is the REST bearer token of a site. ``http`` must not carry the ledger's hooks.
    """

    def __init__(self, ledger: Ledger | None, *, http: httpx.Client, xml_url: str | None, rest_url: str | None,
                 credentials: CredentialsFor, token: TokenFor, budget: RequestBudget | None = None,
                 secrets: list[str] | None = None) -> None:
        self.ledger = ledger
        self.http = http
        self.xml_url = xml_url
        self.rest_url = rest_url.rstrip("/") if rest_url else None
        self.credentials = credentials
        self.token = token
        self.budget = budget
        self.secrets = list(secrets or [])
        self._gone_sessions: set[tuple[str, str]] = set()

    def clean(self, objects: list[Obj], known: LedgerState | None = None) -> CleanupResult:
        result = CleanupResult()
        for obj in objects:
            try:
                self._one(obj, result, known)
            except BudgetExceeded as exc:
                self._left(obj, result, f"not attempted: {exc}")
        return result

    # -- one object ------------------------------------------------------------------------
    def _record(self, obj: Obj, result: CleanupResult, how: str, removed: bool) -> None:
        entry = {"kind": obj.kind, "id": obj.id, "site": obj.site, "name": obj.name, "what": obj.describe(),
                 "how": how}
        (result.removed if removed else result.already_gone).append(entry)
        if obj.kind in SESSION_KINDS:
            self._gone_sessions.add((obj.site.lower(), obj.id))
            if obj.uuid:
                self._gone_sessions.add((obj.site.lower(), obj.uuid.lower()))
        obj.status = "deleted"
        if self.ledger is not None:
            self.ledger.deleted(obj, by="cleanup", verified=True, how=how, removed=removed)

    def _left(self, obj: Obj, result: CleanupResult, reason: str, undeletable: bool = False) -> None:
        result.left.append({"kind": obj.kind, "id": obj.id, "site": obj.site, "name": obj.name,
                            "what": obj.describe(), "reason": reason, "undeletable": undeletable})
        obj.status, obj.reason = "left", reason
        if self.ledger is not None:
            self.ledger.left(obj, reason)

    def _parent_gone(self, obj: Obj, known: LedgerState | None) -> bool:
        if not obj.parent:
            return False
        if (obj.site.lower(), obj.parent.lower()) in self._gone_sessions:
            return True
        if known is not None:
            parent = known.find(SESSION_KINDS, obj.site, obj.parent)
            return parent is not None and parent.status == "deleted"
        return False

    def _one(self, obj: Obj, result: CleanupResult, known: LedgerState | None) -> None:
        k = kind(obj.kind)
        if k.delete is None:
            self._left(obj, result, k.note or "no delete API", undeletable=True)
            return
        if obj.kind in ("attendee", "scheduled-test") and self._parent_gone(obj, known):
            self._record(obj, result, "its session was deleted", removed=False)
            return
        if obj.kind == REST_MEETING:
            self._rest(obj, result)
            return
        if not self.xml_url:
            self._left(obj, result, "no XML API URL")
            return
        candidates = self.credentials(obj.site, obj.owner)
        if not candidates:
            self._left(obj, result, f"no credentials for site {obj.site}")
            return
        last = ""
        for security in candidates:
            client = XmlClient(self.xml_url, security, http=self.http, budget=self.budget, secrets=self.secrets)
            service, api, element = k.delete
            answer = client.call(service, api, self._body(obj, element))
            if answer.ok or answer.exception_id in GONE_IDS:
                gone, proof = self._verify(client, obj, k)
                if gone:
                    how = f"{api}; {proof}"
                    self._record(obj, result, how, removed=answer.ok)
                    return
                last = f"{api} answered {answer.describe()} but {proof}"
            else:
                last = f"{api} as {security.webex_id}: {answer.describe()}"
        self._left(obj, result, last)

    @staticmethod
    def _body(obj: Obj, element: str) -> dict[str, Any]:
        if element == "parent":
            return {obj.parent_field or "sessionKey": obj.parent}
        body: dict[str, Any] = {}
        if obj.kind == "scheduled-test":
            body[obj.parent_field or "sessionKey"] = obj.parent
        body[element] = obj.id
        return body

    def _verify(self, client: XmlClient, obj: Obj, k: Kind) -> tuple[bool, str]:
        assert k.verify is not None
        service, api, element = k.verify
        answer = client.call(service, api, self._body(obj, element))
        if answer.exception_id in GONE_IDS:
            return True, f"{api} → {answer.exception_id}"
        if answer.ok and obj.kind == "user":
            active = _first(answer.body, "active") if answer.body is not None else None
            if (active or "").upper() == "DEACTIVATED":
                return True, f"{api} → DEACTIVATED"
        if answer.ok and api.startswith("Lst"):
            listed = _all(answer.body, (_LISTED_ID.get(obj.kind, "sessionkey"),)) if answer.body is not None else []
            if obj.id not in listed:
                return True, f"{api} no longer lists it"
        return False, f"{api} still finds it ({answer.describe()})"

    def _rest(self, obj: Obj, result: CleanupResult) -> None:
        token = self.token(obj.site)
        if not self.rest_url or not token:
            self._left(obj, result, f"no REST token for site {obj.site}")
            return
        url = f"{self.rest_url}/meetings/{quote(obj.id, safe='')}"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        deleted = self._rest_send("DELETE", url, headers)
        if deleted not in (200, 204, 404):
            self._left(obj, result, f"DELETE /v1/meetings/{{id}} answered HTTP {deleted}")
            return
        check = self._rest_send("GET", url, headers)
        if check in (404, 410):
            self._record(obj, result, f"DELETE /v1/meetings/{{id}}; GET → {check}", removed=deleted != 404)
        else:
            self._left(obj, result, f"GET /v1/meetings/{{id}} still answers HTTP {check}")

    def _rest_send(self, method: str, url: str, headers: dict[str, str]) -> int:
        if self.budget is not None:
            self.budget.spend()
        try:
            return self.http.request(method, url, headers=headers).status_code
        except httpx.HTTPError:
            return 0

    # -- objects found by name -------------------------------------------------------------
    def find_by_prefix(self, site: str, security: Security | list[Security] | None, token: str | None,
                       pattern: re.Pattern[str], *, since: datetime | None = None,
                       now: datetime | None = None) -> FoundByName:
        """Sessions of every kind and REST meetings whose name matches ``pattern``, listed to the end.

        XML: ep LstsummarySession (meetings, events, training, teleconference and support sessions)
        as each of ``security`` (the host, a site administrator), every page. REST: ``GET
        /v1/meetings`` over :func:`rest_listing_window` from ``since`` (the run's start), stepped
        :data:`REST_WINDOW_STEP` at a time, every page (``Link: rel="next"``). A listing that is
        refused, cut short or out of budget is a problem in the answer, never "nothing found".
        """
        found = FoundByName()
        seen: set[tuple[str, str]] = set()
        accounts = security if isinstance(security, list) else [security] if security is not None else []
        if self.xml_url:
            for account in accounts:
                client = XmlClient(self.xml_url, account, http=self.http, budget=self.budget, secrets=self.secrets)
                try:
                    self._xml_by_prefix(client, site, pattern, found, seen)
                except (ListingError, BudgetExceeded) as exc:
                    found.problems.append(f"ep LstsummarySession as {account.webex_id} on site {site}: {exc}")
        if token and self.rest_url:
            lo, hi = rest_listing_window(since, now)
            try:
                self._rest_by_prefix(site, token, pattern, lo, hi, found, seen)
            except (ListingError, BudgetExceeded) as exc:
                found.problems.append(f"GET /v1/meetings on site {site}: {exc}")
        return found

    def _xml_by_prefix(self, client: XmlClient, site: str, pattern: re.Pattern[str], found: FoundByName,
                       seen: set[tuple[str, str]]) -> None:
        start = 1
        for _ in range(MAX_LIST_PAGES):
            answer = client.call("ep", "LstsummarySession", {"listControl": {"startFrom": start,
                                                                              "maximumNum": LIST_PAGE_SIZE}})
            if answer.exception_id in GONE_IDS:
                return  # no (more) sessions: 000015 "no record found"
            if not answer.ok or answer.body is None:
                raise ListingError(f"refused at record {start}: {answer.describe()}")
            sessions = [el for el in answer.body.iter() if _local(el.tag) == "session"]
            for s in sessions:
                name = _first(s, "confname") or ""
                key = _first(s, "sessionkey")
                if key and pattern.match(name) and ("session", key) not in seen:
                    seen.add(("session", key))
                    run = re.search(RUN_ID_PATTERN, name)
                    found.objects.append(Obj("session", site, key, run_id=run.group(0) if run else "", name=name,
                                             owner=_first(s, "hostwebexid"), api="(found by name)"))
            try:
                returned = int(_first(answer.body, "returned") or len(sessions))
                total = int(_first(answer.body, "total") or 0)
            except ValueError:
                raise ListingError(f"unreadable matchingRecords at record {start}") from None
            if not sessions or returned < 1:
                if start <= total:
                    raise ListingError(f"no sessions returned at record {start} of {total}: listing cut short")
                return
            start += returned
            if start > total:
                return
        raise ListingError(f"more than {MAX_LIST_PAGES} pages of {LIST_PAGE_SIZE}: listing cut short")

    def _rest_by_prefix(self, site: str, token: str, pattern: re.Pattern[str], lo: datetime, hi: datetime,
                        found: FoundByName, seen: set[tuple[str, str]]) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        assert self.rest_url is not None
        origin = urlsplit(self.rest_url).netloc
        begin = lo
        while begin < hi:
            end = min(begin + REST_WINDOW_STEP, hi)
            url: str | None = (f"{self.rest_url}/meetings?from={quote(_rest_time(begin), safe='')}"
                               f"&to={quote(_rest_time(end), safe='')}&max={REST_PAGE_SIZE}")
            for _ in range(MAX_LIST_PAGES):
                if url is None:
                    break
                response = self._rest_list(url, headers)
                data = _json_or_none(response)
                if response.status_code != 200 or not isinstance(data, dict) or not isinstance(data.get("items"), list):
                    raise ListingError(f"{_rest_time(begin)}..{_rest_time(end)} answered HTTP {response.status_code}")
                for item in data["items"]:
                    title = str(item.get("title", "")) if isinstance(item, dict) else ""
                    ident = str(item.get("id", "")) if isinstance(item, dict) else ""
                    if ident and pattern.match(title) and (REST_MEETING, ident) not in seen:
                        seen.add((REST_MEETING, ident))
                        run = re.search(RUN_ID_PATTERN, title)
                        found.objects.append(Obj(REST_MEETING, site, ident, run_id=run.group(0) if run else "",
                                                 name=title, api="(found by name)"))
                nxt = response.links.get("next", {}).get("url")
                if nxt and urlsplit(nxt).netloc != origin:
                    raise ListingError(f"the next page is on another host ({urlsplit(nxt).netloc}): not followed")
                url = nxt or None
            else:
                raise ListingError(f"more than {MAX_LIST_PAGES} pages in {_rest_time(begin)}..{_rest_time(end)}")
            begin = end

    def _rest_list(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """One listing GET, counted against the budget; a 429 waits its ``Retry-After`` (bounded) and
        is asked again a few times."""
        for attempt in range(REST_LIST_RETRIES + 1):
            if self.budget is not None:
                self.budget.spend()
            try:
                response = self.http.get(url, headers=headers)
            except httpx.HTTPError as exc:
                raise ListingError(f"{type(exc).__name__}: {exc}") from None
            if response.status_code != 429 or attempt == REST_LIST_RETRIES:
                return response
            retry = response.headers.get("Retry-After", "1")
            time.sleep(min(MAX_RETRY_AFTER, float(retry) if retry.isdigit() else 1.0))
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class FoundByName:
    """What :meth:`Cleaner.find_by_prefix` found, and the listings that could not be read to the end."""

    objects: list[Obj] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ListingError(RuntimeError):
    """A listing was refused or cut short: what it did not show is unknown, not absent."""


#: records per page of an XML listing (``listControl/maximumNum``) and of ``GET /v1/meetings`` (``max``)
LIST_PAGE_SIZE = 100
REST_PAGE_SIZE = 100
#: pages one listing may take before it counts as cut short
MAX_LIST_PAGES = 200
#: REST meetings are listed from this long before the run started (a start just before it) …
REST_LOOKBACK = timedelta(days=2)
#: … to this long after the later of the run's start and now: the farthest start a run schedules —
#: generated dates (1–30 days ahead), contract slots (≤ 30 days), the REST load (< 10 days,
#: :data:`load.rest_tasks.FARTHEST_START`), XML load meetings (3 days + 12 hours) — plus a margin
REST_HORIZON = timedelta(days=45)
#: one ``GET /v1/meetings`` asks for at most this range (Webex limits the range of one request;
#: its default is a week): the window is walked in steps
REST_WINDOW_STEP = timedelta(days=30)
#: listing requests answered 429 are asked again this many times, after at most this many seconds
REST_LIST_RETRIES = 3
MAX_RETRY_AFTER = 10.0


def run_started(run_id: str) -> datetime | None:
    """When the run with this ID started (the ID begins ``YYYYMMDD-HHMMSS``, UTC), or None."""
    try:
        return datetime.strptime(run_id[:15], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def rest_listing_window(since: datetime | None, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``[since − REST_LOOKBACK, max(since, now) + REST_HORIZON)``: every start a run begun at
    ``since`` (now when unknown) may have given a REST meeting."""
    now = now or datetime.now(UTC)
    since = since or now
    return since - REST_LOOKBACK, max(since, now) + REST_HORIZON


def _rest_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def name_pattern(prefix: str, run_id: str | None) -> re.Pattern[str]:
    """Names a run gives its objects: ``<prefix>-<run-id>`` (this run) or any run ID (every run)."""
    run = re.escape(run_id) if run_id else RUN_ID_PATTERN
    return re.compile(rf"^{re.escape(prefix)}-{run}(?:-|$)")


__all__ = [
    "CREATES",
    "Cleaner",
    "CleanupResult",
    "FoundByName",
    "Kind",
    "Ledger",
    "LedgerHooks",
    "LedgerState",
    "ListingError",
    "Obj",
    "find_ledgers",
    "fold",
    "ledger_path",
    "name_pattern",
    "read_lines",
    "rest_listing_window",
    "run_name",
    "run_started",
    "summarise",
]
