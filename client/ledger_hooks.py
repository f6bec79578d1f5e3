"""The ledger's ``httpx`` event hooks: every create and delete a run sends, journalled from the wire.

The ledger needs nothing from the tests: :class:`LedgerHooks` sit on the ``httpx`` client every
harness client shares. They read the API of each bodyContent from the request envelope's ``xsi:type``
(``POST …/v1/meetings`` and ``DELETE …/v1/meetings/{id}`` for REST), write the intent before the
request leaves, and read the new key from the answer. Deletions the tests do themselves are seen the
same way, so only what a run really left behind is cleaned up. Every credential (or session password)
a request carries that the target accepts, and every ticket, token, password, guest token (a join
link's ``MTID`` too) or host key an answer hands out (a REST meeting's passwords, host key and join
link's guest token in any answer that shows them), goes to the run's :class:`~webex.masking.SecretSet`
— before the client that sent the request records the exchange, so that record is masked with it
already.

Envelopes are read by :mod:`client.exchange_reader` — parsed once per exchange with the reader of
:mod:`webex.envelope`, the same object the usage-limit guard and the XML client use. What creates and
deletes what is :mod:`client.kinds`; the lines go to a :class:`client.journal.Ledger`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
from lxml import etree

from webex_harness.client.exchange_reader import answer, is_xml_request, request_envelope
from webex_harness.client.journal import Ledger
from webex_harness.client.kinds import (
    CHILD_KINDS,
    CREATES,
    DELETES,
    REACTIVATE,
    REST_CREATE,
    REST_KIND,
    REST_MEETING,
    SESSION_KINDS,
    XML_MEETING,
    Kind,
    canonical_api,
    kind,
)
from webex_harness.webex.envelope import (
    RequestBody,
    RequestEnvelope,
    Security,
    XmlResponse,
    all_texts,
    answer_secrets,
    first_text,
    local_name,
)
from webex_harness.webex.masking import REST_SECRET_FIELDS, SecretSet, join_token, join_tokens, login_tickets

#: The server status of a refusal made before a request is processed: a busy site's ``503`` (docs/wire.md;
#: the clients send the same create again after its ``Retry-After``, as one that changed nothing).
REFUSED_UNPROCESSED = 503


def _refused(status: int) -> bool:
    """Whether an answer with ``status`` says the request created nothing: a 4xx, or a busy site's 503."""
    return 400 <= status < 500 or status == REFUSED_UNPROCESSED


def _name_of(node: etree._Element) -> str | None:
    return first_text(node, "confname", "sessionname", "webexid", "name", "email", "title")


def _parent_of(node: etree._Element) -> tuple[str | None, str | None]:
    for el in node.iter():
        name = local_name(el.tag)
        if name in ("sessionkey", "meetingkey", "meetinguuid") and el.text and el.text.strip():
            return el.text.strip(), {"sessionkey": "sessionKey", "meetingkey": "meetingKey"}.get(name, "meetingUUID")
    return None, None


@dataclass(slots=True)
class _PendingCreate:
    ref: str
    kind: Kind
    body: RequestBody
    name: str | None
    site: str
    owner: str | None


@dataclass(slots=True)
class _Pending:
    xml: RequestEnvelope | None = None
    creates: list[_PendingCreate] = field(default_factory=list)
    deletes: list[tuple[RequestBody, tuple[str, ...], list[str]]] = field(default_factory=list)
    reactivations: list[str] = field(default_factory=list)
    rest_create: tuple[str, str, str | None] | None = None  # (ref, site, title)
    rest_delete: tuple[str, str] | None = None  # (site, id)
    #: credentials the request carries: secrets once the target accepts them
    secrets: list[str] = field(default_factory=list)


class LedgerHooks:
    """``httpx`` event hooks that keep the ledger, and add every secret they see to ``secrets`` (the run's set).

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
        secrets: SecretSet | None = None,
        on_credentials: Callable[[str, str, Security], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.rest_url = rest_url.rstrip("/") if rest_url else None
        self.site_for_token = site_for_token
        self.secrets = secrets if secrets is not None else SecretSet()
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
    def _rest_tail(self, request: httpx.Request) -> str | None:
        if not self.rest_url:
            return None
        url = str(request.url).split("?", 1)[0]
        if not url.startswith(self.rest_url):
            return None
        return url[len(self.rest_url) :] or "/"

    def _bearer(self, request: httpx.Request) -> str | None:
        auth = request.headers.get("authorization") or ""
        scheme, _, token = auth.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else auth.strip()
        return token or None

    # -- hooks -----------------------------------------------------------------------------
    def on_request(self, request: httpx.Request) -> None:
        pending: _Pending | None = None
        if is_xml_request(request):
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
            parsed = request_envelope(request)
        except Exception as exc:  # a hostile envelope must not break the request
            self.ledger.error("request", exc)
            return None
        if parsed is None:
            return None
        pending = _Pending(xml=parsed, secrets=list(parsed.secrets))
        for body in parsed.bodies:
            api = canonical_api(body.api)
            k = CREATES.get(api)
            if k is not None:
                name = _name_of(body.node)
                parent = _parent_of(body.node)[0] if k.name in CHILD_KINDS else None
                # written before the request leaves: an OSError here aborts the create
                ref = self.ledger.intent(k, api, parsed.site, parsed.owner, name, parent)
                pending.creates.append(_PendingCreate(ref, k, body, name, parsed.site, parsed.owner))
            elif api in DELETES:
                kinds, elements = DELETES[api]
                pending.deletes.append((body, kinds, all_texts(body.node, elements)))
            elif api == REACTIVATE and (first_text(body.node, "active") or "").upper() == "ACTIVATED":
                webex_id = first_text(body.node, "webexid")
                if webex_id:
                    pending.reactivations.append(webex_id)
        return pending

    def _rest_request(self, request: httpx.Request, tail: str) -> _Pending | None:
        token = self._bearer(request)
        site = (self.site_for_token(token) if token else None) or "?"
        parts = [p for p in tail.split("/") if p]
        if request.method == "POST" and parts == ["meetings"]:
            title = None
            secrets: list[str] = []
            try:
                data = json.loads(request.content or b"{}")
                title = str(data.get("title")) if isinstance(data, dict) and data.get("title") is not None else None
                secrets = _rest_secrets(data)
            except ValueError:
                pass
            ref = self.ledger.intent(REST_KIND, REST_CREATE, site, None, title)
            return _Pending(rest_create=(ref, site, title), secrets=secrets)
        if request.method == "DELETE" and len(parts) == 2 and parts[0] == "meetings":
            return _Pending(rest_delete=(site, unquote(parts[1])))
        if request.method in ("PUT", "PATCH"):  # a new password: a secret once the target takes it
            try:
                return _Pending(secrets=_rest_secrets(json.loads(request.content or b"{}")))
            except ValueError:
                return None
        return None

    def on_response(self, response: httpx.Response) -> None:
        with self._lock:
            entry = self._pending.pop(id(response.request), None)
        pending = entry[1] if entry is not None and entry[0] is response.request else None
        is_xml = is_xml_request(response.request)
        if pending is None and not is_xml:
            return
        response.read()
        try:
            parsed = answer(response) if is_xml else None
            if parsed is not None:
                self._harvest(parsed)
            elif (tail := self._rest_tail(response.request)) is not None:
                learn = response.status_code == 200 and tail.startswith("/meetings")
                if learn or any(b in response.content for b in _REST_SECRET_BYTES):  # parsed once, if at all
                    meetings = _rest_meetings(response.content)
                    self.secrets.update(secret for meeting in meetings for secret in _rest_secrets(meeting))
                    if learn:
                        self._learn_series_ids(response.request, meetings)
            if pending is None:
                return
            if self._accepted(response, parsed):
                # a credential the target accepted is a secret; a refused one is test data
                self._credentials(pending)
            if pending.xml is not None and parsed is not None:
                if pending.creates or pending.deletes or pending.reactivations:
                    self._xml_response(pending, response.status_code, parsed)
            elif pending.rest_create is not None:
                self._rest_created(pending.rest_create, response)
            elif pending.rest_delete is not None and response.status_code in (200, 204):
                site, ident = pending.rest_delete
                self._mark_deleted((REST_MEETING,), site, ident, "DELETE")
                self._mark_deleted((XML_MEETING,), site, ident, "DELETE")  # a CreateMeeting meeting, by its alias
        except Exception as exc:  # the ledger must never break a test's request
            self.ledger.error("response", exc)

    @staticmethod
    def _accepted(response: httpx.Response, parsed: XmlResponse | None) -> bool:
        """The target took the request's credentials: an XML answer with a SUCCESS for any bodyContent,
        a REST answer other than 401 or 403."""
        if parsed is None:
            return response.status_code not in (401, 403)
        return any(r.get("result") == "SUCCESS" for r in parsed.results)

    def _credentials(self, pending: _Pending) -> None:
        self.secrets.update(pending.secrets)
        parsed = pending.xml
        if self.on_credentials and parsed is not None and parsed.owner and parsed.password:
            self.on_credentials(parsed.site, parsed.owner, Security(parsed.site, parsed.owner, parsed.password))

    def _harvest(self, parsed: XmlResponse) -> None:
        """What an answer hands out (tickets, tokens, sessions' passwords and guest tokens, the guest token
        of a join link and the login ticket of a login link it shows) is a secret from now on."""
        self.secrets.update(answer_secrets(parsed))
        if b"MTID=" in parsed.raw:
            self.secrets.update(join_tokens(parsed.raw.decode("utf-8", "replace")))
        if b"TK=" in parsed.raw:
            self.secrets.update(login_tickets(parsed.raw.decode("utf-8", "replace")))

    def _xml_response(self, pending: _Pending, status: int, parsed: XmlResponse) -> None:
        n_bodies = len(pending.xml.bodies) if pending.xml else 0
        for create in pending.creates:
            outcome = _outcome(parsed, create.body.index, n_bodies)
            if outcome is None:
                if _refused(status) and parsed.result == "INVALID":
                    self.ledger.not_created(create.ref, f"HTTP {status}")
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
                    self._mark_deleted(kinds, pending.xml.site, ident, canonical_api(body_req.api))
                    if XML_MEETING in kinds:  # a POST /v1/meetings meeting, by its meetingNumber
                        self._mark_deleted((REST_MEETING,), pending.xml.site, ident, canonical_api(body_req.api))
        if pending.reactivations and parsed.ok and pending.xml is not None:
            state = self.ledger.state()
            for webex_id in pending.reactivations:
                obj = state.find(("user",), pending.xml.site, webex_id)
                if obj is not None and obj.status == "deleted":
                    k = kind("user")
                    ref = self.ledger.intent(k, REACTIVATE, obj.site, pending.xml.owner, obj.name)
                    self.ledger.created(ref, k, REACTIVATE, obj.site, pending.xml.owner, obj.name, obj.id)

    def _created(self, create: _PendingCreate, body: etree._Element | None) -> None:
        k = create.kind
        if k.id_from_request:
            ids = [i for i in [first_text(create.body.node, k.id_from_request)] if i]
        else:
            ids = all_texts(body, k.id_elements) if body is not None else []
        if not ids:
            self.ledger.not_created(create.ref, "SUCCESS without an ID")
            return
        uuid = first_text(body, "meetinguuid") if body is not None and k.name in SESSION_KINDS else None
        parent, parent_field = (None, None)
        if k.name in CHILD_KINDS:
            parent, parent_field = _parent_of(create.body.node)
        api = canonical_api(create.body.api)
        for ident in dict.fromkeys(ids):  # an attendee answered twice (duplicate e-mail) is one object
            self.ledger.created(
                create.ref,
                k,
                api,
                create.site,
                create.owner,
                create.name,
                ident,
                uuid=uuid.lower() if uuid else None,
                parent=parent,
                parent_field=parent_field,
            )

    def _rest_created(self, rest: tuple[str, str, str | None], response: httpx.Response) -> None:
        ref, site, title = rest
        status = response.status_code
        if status in (200, 201):
            try:
                data = response.json()
            except ValueError:
                data = None
            self.secrets.update(_rest_secrets(data))
            ident = data.get("id") if isinstance(data, dict) else None
            if ident:
                number = data.get("meetingNumber")
                aliases = (str(number),) if number else ()
                self.ledger.created(ref, REST_KIND, REST_CREATE, site, None, title, str(ident), aliases=aliases)
                return
        if _refused(status):
            self.ledger.not_created(ref, f"HTTP {status}")

    def _learn_series_ids(self, request: httpx.Request, meetings: list[dict[str, Any]]) -> None:
        """A REST answer's ``meetings`` that show a meeting series (``id`` and ``meetingNumber``) of a meeting
        this run made with CreateMeeting: the series ID becomes the meeting's alias, so that a ``DELETE`` by it
        is seen as the meeting's deletion. An occurrence's ID (``<series>_…``) is no alias: deleting it
        cancels one occurrence, not the meeting. One pass over the ledger, whatever the list's length."""
        token = self._bearer(request)
        site = (self.site_for_token(token) if token else None) or ""
        state = self.ledger.state()
        mine = {
            o.id: o
            for o in state.objects.values()
            if o.kind == XML_MEETING and o.site.lower() == site.lower() and o.status != "deleted"
        }
        if not site or not mine:
            return
        for meeting in meetings:
            ident, number = meeting.get("id"), meeting.get("meetingNumber")
            obj = mine.get(str(number)) if isinstance(ident, str) and "_" not in ident else None
            if obj is not None and ident not in obj.aliases:
                self.ledger.alias(obj, str(ident))

    def _mark_deleted(self, kinds: tuple[str, ...], site: str, ident: str, how: str) -> None:
        obj = self.ledger.state().find(kinds, site, ident)
        if obj is not None and obj.status != "deleted":
            self.ledger.deleted(obj, by="test", verified=False, how=how)


def _rest_secrets(data: object) -> list[str]:
    """The secrets of a REST meeting (its JSON, asked for or answered): its passwords, its host key and
    the guest token of its ``webLink``."""
    if not isinstance(data, dict):
        return []
    found = [value for k in REST_SECRET_FIELDS if isinstance(value := data.get(k), str) and value]
    link = data.get("webLink")
    token = join_token(link) if isinstance(link, str) else None
    return [*found, token] if token else found


#: a quick look at a REST answer's bytes: most name no secret field
_REST_SECRET_BYTES = tuple(name.encode() for name in ("assword", "hostKey"))


def _rest_meetings(content: bytes) -> list[dict[str, Any]]:
    """The meetings a REST answer shows (a created, read, updated or listed one; a list's wrapper too)."""
    try:
        data = json.loads(content)
    except ValueError:
        return []
    items = data.get("items") if isinstance(data, dict) else None
    found = [data, *items] if isinstance(items, list) else [data]
    return [meeting for meeting in found if isinstance(meeting, dict)]


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


__all__ = ["LedgerHooks"]
