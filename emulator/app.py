"""The emulator's ASGI app: ``POST /WBXService/XMLService``, the control API, (later) REST.

A raw ASGI callable — no framework in the hot path. Every request is answered; hostile or broken
input gets a FAILURE envelope or a 4xx with a clear reason, never a traceback.
"""

from __future__ import annotations

import json
import logging

from webex_harness.emulator import (
    busy,
    busy_state,
    control,
    faults,
    registered,  # noqa: F401  (every handler and fault registered before the first request)
    rest,
    url_api,
    wire_faults,
)
from webex_harness.emulator.asgi import BodyTooLarge, Receive, Scope, Send, read_body
from webex_harness.emulator.control_guard import control_refusal
from webex_harness.emulator.dispatch import HttpStatusError, answer
from webex_harness.emulator.model import Site, User
from webex_harness.emulator.registry import Registry
from webex_harness.emulator.services import user_login
from webex_harness.emulator.xmlio import (
    MAX_BODY_BYTES,
    Node,
    ParsedRequest,
    parse_request,
    render_failure,
    render_message,
)
from webex_harness.webex.errors import WebexError, invalid_request, webex_error
from webex_harness.webex.settings import SiteSettings

log = logging.getLogger("emulator")

XML_CONTENT_TYPE = b"text/xml;charset=UTF-8"
XML_PATH = "/wbxservice/xmlservice"
TEXT_CONTENT_TYPE = b"text/plain;charset=UTF-8"

#: One XML answer: status, body, content type, extra headers, seconds to wait before sending it.
XmlReply = tuple[int, bytes, bytes, tuple[tuple[bytes, bytes], ...], float]
NO_HEADERS: tuple[tuple[bytes, bytes], ...] = ()


def _declares_too_much(headers: dict[str, str]) -> bool:
    """A Content-Length over the limit is refused before reading: a client announcing (and maybe
    never sending) a terabyte gets its 413 at once instead of a connection waiting forever."""
    try:
        return int(headers.get("content-length", "0")) > MAX_BODY_BYTES
    except ValueError:  # the HTTP server refuses a malformed Content-Length itself (400)
        return False


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def caller_for(site: Site, security: Node, headers: dict[str, str]) -> User | None:
    """Authenticate the securityContext forms real clients send; None = anonymous."""
    webex_id = security.get("webExID")
    password = security.get("password")
    ticket = security.get("sessionTicket")
    token = security.get("webExAccessToken")
    lenient = site.default and not site.settings.strict_auth
    if ticket:
        try:
            return site.user_for_ticket(ticket)
        except WebexError:
            if lenient and webex_id:
                return site.authenticate(webex_id, password)
            raise
    if webex_id and token:
        return user_login.caller_with_token(site, webex_id, token)
    if webex_id:
        return site.authenticate(webex_id, password)
    return None


class EmulatorApp:
    """``EmulatorApp(registry)`` is an ASGI application.

    ``registry.requests`` counts every request outside the control API; each site counts the XML
    and REST requests addressed to it (``Site.xml_requests``, ``Site.rest_requests``). A busy site
    (``emulator.busy``) may answer 503 before processing and delays its answers by its jitter.
    """

    def __init__(self, registry: Registry | None = None, control_token: str | None = None) -> None:
        self.registry = registry or Registry()
        #: the token the control API asks for (:mod:`emulator.control_guard`); None: none asked
        self.control_token = control_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope.get("path", "/")
        method: str = scope.get("method", "GET")
        headers = _headers(scope)
        close = headers.get("connection", "").lower() == "close"
        low = path.lower().rstrip("/")
        if low == "/v1" or low.startswith("/v1/"):  # the REST meetings API answers for itself
            self.registry.requests += 1
            await rest.handle(self.registry, scope, receive, send)
            return
        extra = NO_HEADERS
        delay = 0.0
        try:
            if _declares_too_much(headers) and (low == XML_PATH or low.startswith("/_emulator")):
                if low == XML_PATH:
                    self.registry.requests += 1
                raise BodyTooLarge
            if low == XML_PATH:
                self.registry.requests += 1
                status, body, ctype, extra, delay = await self._xml(method, receive, headers)
            elif low.startswith("/_emulator"):
                control_path = path[len("/_emulator") :]
                refusal = control_refusal(method, control_path, scope, headers, self.control_token)
                if refusal is not None:  # before the body is read: a refused request changes nothing
                    status, payload = refusal[0], {"error": refusal[1]}
                    close = True
                else:
                    raw = await read_body(receive, MAX_BODY_BYTES)
                    try:
                        query = scope.get("query_string", b"").decode("latin-1")
                        target = f"{control_path}?{query}" if query else control_path
                        status, payload = control.handle(self.registry, method, target, raw)
                    except RecursionError:  # json.loads of ``[[[[…`` nested past the interpreter's limit
                        status, payload = 400, {"error": "body is not JSON: nested too deeply"}
                body, ctype = json.dumps(payload).encode(), b"application/json"
            elif method == "GET" and url_api.is_url_api(path):  # the URL API's login/logout (login tickets)
                self.registry.requests += 1
                query = scope.get("query_string", b"").decode("latin-1")
                status, body, ctype, extra = url_api.handle(self.registry, path, query)
            else:
                self.registry.requests += 1
                status, body, ctype = (
                    404,
                    json.dumps(
                        {
                            "message": f"The requested resource could not be found: {path}",
                            "errors": [{"description": "not found"}],
                            "trackingId": "EMULATOR_not_found",
                        }
                    ).encode(),
                    b"application/json",
                )
        except BodyTooLarge:
            status, body, ctype = (
                413,
                render_failure(invalid_request(f"request body larger than {MAX_BODY_BYTES} bytes")),
                XML_CONTENT_TYPE,
            )
        except Exception:  # the emulator keeps serving whatever happens
            log.exception("unhandled error for %s %s", method, path)
            status, body, ctype = 500, render_failure(invalid_request("internal emulator error")), XML_CONTENT_TYPE
        response_headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *extra]
        if status == 405:
            response_headers.append((b"allow", b"POST"))  # RFC 9110 §15.5.6: a 405 lists the allowed methods
        if close or status == 413:  # after a 413 the rest of the body is still on the socket: drop it
            response_headers.append((b"connection", b"close"))
        if delay:  # response_delay_ms and a busy site's jitter: the loop serves others meanwhile
            await busy_state.pause(delay)
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    async def _xml(self, method: str, receive: Receive, headers: dict[str, str]) -> XmlReply:
        if method != "POST":
            failure = render_failure(invalid_request(f"method {method} not allowed: use POST"))
            return 405, failure, XML_CONTENT_TYPE, NO_HEADERS, 0.0
        raw = await read_body(receive, MAX_BODY_BYTES)
        return self.answer_xml(raw, headers)

    def handle_xml(self, raw: bytes, headers: dict[str, str]) -> tuple[int, bytes, bytes]:
        """Answer one XML API request body (also used in-process by tests and benchmarks)."""
        status, body, ctype, _, _ = self.answer_xml(raw, headers)
        return status, body, ctype

    def answer_xml(self, raw: bytes, headers: dict[str, str]) -> XmlReply:
        """:meth:`handle_xml` with the extra headers and the delay a busy site adds."""
        try:
            request = parse_request(raw)
        except WebexError as err:
            return 200, render_failure(err), XML_CONTENT_TYPE, NO_HEADERS, 0.0
        registry = self.registry
        with registry.lock:
            sec = request.security
            site = registry.route(sec.get("siteName"), sec.get("siteID"))
            reply = self._answer_site(site, request, headers)
        return wire_faults.xml_answer(site, reply) if site.faults else reply  # the wire faults' one hook

    def _answer_site(self, site: Site, request: ParsedRequest, headers: dict[str, str]) -> XmlReply:
        """:meth:`answer_xml` once the request is routed to ``site`` (the caller holds the registry lock)."""
        sec = request.security
        site.xml_requests += 1
        delay = site.settings.response_delay_seconds  # the site's response_delay_ms, then any jitter
        if site.busy is not None:
            admission = busy_state.admit(site)
            delay += admission.delay
            if admission.unavailable:  # before anything is processed: nothing changes
                self.registry.hold(site, site.busy.options.retry_after_seconds)
                return (
                    503,
                    busy_state.UNAVAILABLE_MESSAGE.encode(),
                    TEXT_CONTENT_TYPE,
                    ((b"retry-after", str(site.busy.options.retry_after_seconds).encode()),),
                    delay,
                )
        limit = site.settings.body_content_limit
        if len(request.bodies) >= limit and not site.fault(faults.BODY_CONTENT_LIMIT):
            return 200, render_failure(webex_error("000053", limit)), XML_CONTENT_TYPE, NO_HEADERS, delay
        try:
            token = user_login.body_token(site, sec, request.bodies)  # AuthenticateUser's <accessToken>
            caller = user_login.token_caller(site, sec, token) if token else caller_for(site, sec, headers)
        except WebexError as err:
            return 200, render_failure(err), XML_CONTENT_TYPE, NO_HEADERS, delay
        try:
            answers = [answer(site, caller, body, headers) for body in request.bodies]
        except HttpStatusError as exc:
            return exc.status, exc.message.encode(), TEXT_CONTENT_TYPE, NO_HEADERS, delay
        return 200, render_message(answers), XML_CONTENT_TYPE, NO_HEADERS, delay

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(
    site_name: str = "harness",
    settings: SiteSettings | None = None,
    busy_options: busy_state.BusyOptions | None = None,
    control_token: str | None = None,
) -> EmulatorApp:
    """The app with its default site (normally from ``environments/emulator.yaml``); busy when
    ``busy_options`` are given (``webex-harness emulator --busy``); its control API asks for
    ``control_token`` when one is given (:mod:`emulator.control_guard`)."""
    if busy_options is None:
        return EmulatorApp(Registry(site_name, settings), control_token)
    options = busy_options
    return EmulatorApp(Registry(site_name, settings, lambda site: busy.make_busy(site, options)), control_token)
