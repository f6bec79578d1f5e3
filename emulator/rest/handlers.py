"""HTTP in and out for the REST meetings API under ``/v1`` (seed 003, and what REST clients expect).

=======  ==================================  =============================================
method   path                                answer
=======  ==================================  =============================================
GET      /v1/meetings                        200 ``{"items": [...]}`` (filters, Link paging)
POST     /v1/meetings                        200 the created meeting series
GET      /v1/meetings/{id}                   200 series, scheduled meeting or instance
PATCH    /v1/meetings/{id}                   200 the updated meeting
PUT      /v1/meetings/{id}                   the same as PATCH (``rest-put-equals-patch``)
DELETE   /v1/meetings/{id}                   204, no body
POST     /v1/meetings/{id}/registrants       200 the registrant (``{"firstName", "lastName", "email"}``)
GET      /v1/meetings/{id}/registrants       200 ``{"items": [...]}``
=======  ==================================  =============================================

``GET /v1/meetings?meetingNumber=…`` (List Meetings, behaviour ``rest-list-by-meeting-number``):
with ``current`` true (the default) each item is the meeting's scheduled meeting that is in progress
or comes next (``meetingType: scheduledMeeting``, its ``meetingSeriesId``, UTC times; the series when
all its occurrences are over), with ``current=false`` the series; ``from``, ``to``, ``meetingType``
and ``state`` are ignored then.

Rules, in the order they are checked (behaviour ``rest-status-codes``):

1. ``Authorization: Bearer <token>`` must name a site's REST token (``Registry.by_token``; the
   default site's is ``emulator-token``): otherwise **401**. From here on the request counts as
   addressed to that site (``Site.rest_requests``).
2. A busy site (``emulator.busy``) may answer **503** with ``Retry-After`` here, before anything
   is processed or counted in the rate window; its answers wait for its jitter.
3. Rate limit: more than the site setting ``rest_rate_limit_per_minute`` (default
   :data:`RATE_LIMIT`; 0 = no limit) authenticated requests within :data:`RATE_WINDOW` seconds
   of the site's clock → **429** with ``Retry-After`` (seconds until the oldest counted request
   leaves the window). Refused requests are not counted; moving the site clock forward
   (``POST /_emulator/sites/{site}/clock``) empties the window.
4. Unknown path → **404**; a method the path does not take → **405** with ``Allow``.
5. POST/PUT/PATCH need ``Content-Type: application/json`` (or ``…+json``): otherwise **415**.
   Body-less GET and DELETE are never refused for their Content-Type.
6. Broken JSON, a body that is not an object, wrong value types, rule violations → **400** with a
   message; unknown or deleted meeting ids → **404**.

Every answer is ``Content-Type: application/json`` (204 has no body); errors are
``{"message", "errors": [{"description"}], "trackingId"}``. Paths tolerate a doubled slash and a
trailing slash. ``from``/``to`` accept ``2026-11-21T00:00:00.000Z`` and percent-encoded offsets.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime, timedelta
from urllib.parse import quote, unquote

from webex_harness.emulator import busy_state, wire_faults, write_guard
from webex_harness.emulator.asgi import BodyTooLarge, Receive, Scope, Send, read_body
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site
from webex_harness.emulator.registry import Registry
from webex_harness.emulator.rest import readback, registrants, rules
from webex_harness.emulator.rest.errors import RestError
from webex_harness.emulator.rest.responses import Answer, error, render, tracking_id
from webex_harness.emulator.rest.schema import MEETING_TYPES, STATES, parse_body
from webex_harness.emulator.rest.store import Target, by_number, listing, store
from webex_harness.emulator.rest.times import parse_param_time
from webex_harness.webex.settings import SiteSettings

log = logging.getLogger("emulator.rest")

STATUS_CODES = declare("rest-status-codes", "accepts any Content-Type on POST/PUT/PATCH bodies (no 415)")
BY_NUMBER = declare(
    "rest-list-by-meeting-number",
    "answers the meeting series for meetingNumber, not its current scheduled meeting (current ignored)",
)

#: the 429 rule: by default at most this many requests per token (site setting
#: ``rest_rate_limit_per_minute``, which each site may change) ...
RATE_LIMIT = SiteSettings().rest_rate_limit_per_minute
#: ... within this many seconds of the site clock
RATE_WINDOW = 60.0
MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX = 10
MAX_MAX = 100
JSON_TYPE = b"application/json"

# ---------------------------------------------------------------- ASGI


async def handle(registry: Registry, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one ``/v1`` request (ASGI)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    method = str(scope.get("method", "GET")).upper()
    path = str(scope.get("path", "/"))
    query = scope.get("query_string", b"").decode("latin-1")
    base = f"{scope.get('scheme', 'http')}://{headers.get('host', 'localhost')}"
    delay = 0.0
    try:
        raw = await read_body(receive, MAX_BODY_BYTES)
        (status, payload, extra), delay = respond_timed(registry, method, path, query, headers, raw, base)
    except BodyTooLarge:
        status, payload, extra = error(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    except Exception:  # the emulator keeps serving whatever happens
        log.exception("unhandled REST error for %s %s", method, path)
        status, payload, extra = error(500, "Internal emulator error.")
    out = [] if any(k.lower() == "content-type" for k, _ in extra) else [(b"content-type", JSON_TYPE)]
    body = b""
    if status != 204:
        body = json.dumps(payload).encode()
        out.append((b"content-length", str(len(body)).encode()))
    out += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra]
    if not any(k == "trackingid" for k, _ in extra):
        tid = payload.get("trackingId") if isinstance(payload, dict) else None
        out.append((b"trackingid", str(tid or tracking_id()).encode()))
    if headers.get("connection", "").lower() == "close" or status == 413:
        out.append((b"connection", b"close"))  # after a 413 the rest of the body is still on the socket: drop it
    if delay:  # a busy site's jitter: the loop serves others meanwhile
        await busy_state.pause(delay)
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------- dispatch


def _segments(path: str) -> list[str]:
    """``/v1//meetings/`` → ``["meetings"]`` (doubled and trailing slashes tolerated)."""
    parts = [unquote(p) for p in path.split("/") if p]
    return parts[1:] if parts and parts[0].lower() == "v1" else parts


def _allowed(parts: list[str]) -> tuple[str, ...] | None:
    if not parts or parts[0] != "meetings":
        return None
    if len(parts) == 1:
        return ("GET", "POST")
    if len(parts) == 2:
        return ("GET", "PATCH", "PUT", "DELETE")
    if len(parts) == 3 and parts[2] == "registrants":
        return ("GET", "POST")
    return None


def _token(headers: dict[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _rate_limited(site: Site) -> int | None:
    """The 429 rule; None = go ahead (and the request is counted), else Retry-After seconds."""
    limit = site.settings.rest_rate_limit_per_minute
    hits = store(site).hits
    if limit <= 0:  # no limit: nothing to count either
        hits.clear()
        return None
    now = site.now()
    window = timedelta(seconds=RATE_WINDOW)
    while hits and (hits[0] <= now - window or hits[0] > now):
        hits.popleft()  # also drops hits "from the future" if the clock was ever reset
    if len(hits) >= limit:
        return max(1, math.ceil((hits[0] + window - now).total_seconds()))
    hits.append(now)
    return None


def _json_media(headers: dict[str, str]) -> bool:
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))


def respond(
    registry: Registry, method: str, path: str, query: str, headers: dict[str, str], raw: bytes, base: str
) -> Answer:
    """Answer one request: (status, JSON payload, extra headers). Also used in-process by tests."""
    return respond_timed(registry, method, path, query, headers, raw, base)[0]


def respond_timed(
    registry: Registry, method: str, path: str, query: str, headers: dict[str, str], raw: bytes, base: str
) -> tuple[Answer, float]:
    """:func:`respond` and the seconds a busy site delays the answer by."""
    token = _token(headers)
    with registry.lock:
        site = registry.by_token(token) if token else None
        if site is None:
            return error(401, "The request requires a valid access token set in the Authorization request header."), 0.0
        site.rest_requests += 1
        slow = site.settings.response_delay_seconds  # the site's response_delay_ms, then any jitter
        if site.busy is None:
            return _respond(site, method, path, query, headers, raw, base), slow
        admission = busy_state.admit(site)
        if admission.unavailable:  # before anything is processed or rate-counted: nothing changes
            registry.hold(site, site.busy.options.retry_after_seconds)
            status, body, extra = error(503, busy_state.UNAVAILABLE_MESSAGE)
            return (
                status,
                body,
                [*extra, ("Retry-After", str(site.busy.options.retry_after_seconds))],
            ), slow + admission.delay
        return _respond(site, method, path, query, headers, raw, base), slow + admission.delay


def _respond(site: Site, method: str, path: str, query: str, headers: dict[str, str], raw: bytes, base: str) -> Answer:
    """The rules from the rate limit on (the caller holds the registry lock)."""
    retry = _rate_limited(site)
    if retry is not None:
        Registry.hold(site, retry)  # its client waits: the site is not idle meanwhile (MAX_SITES)
        status, body, extra = error(429, "Too many requests have been sent: the request has been rate limited.")
        return status, body, [*extra, ("Retry-After", str(retry))]
    parts = _segments(path)
    allowed = _allowed(parts)
    if allowed is None:
        return error(404, "The requested resource could not be found.", f"No REST resource at {path}.")
    if method not in allowed:
        status, body, extra = error(405, f"Method {method} is not allowed for this resource.")
        return status, body, [*extra, ("Allow", ", ".join(allowed))]
    if method in ("POST", "PUT", "PATCH") and not _json_media(headers) and not site.fault(STATUS_CODES):
        return error(
            415,
            "Unsupported media type: send the body as application/json.",
            f"Content-Type {headers.get('content-type', '(none)')!r} is not supported.",
        )
    mark = write_guard.mark(site) if method != "GET" else None
    try:
        answer = _route(site, method, parts, query, raw, base)
    except RestError as exc:
        answer = error(exc.status, exc.message, exc.description)
    except (OverflowError, OSError) as exc:  # dates at the edge of the calendar
        answer = error(400, "A date or number in the request is out of range.", str(exc)[:200])
    except Exception as exc:  # what no rule foresaw: a 400, never a 500 or a half-done write
        log.error("unexpected %s in %s %s", type(exc).__name__, method, path, exc_info=exc)
        answer = error(400, "The request could not be processed.", f"{type(exc).__name__}: {exc}"[:200])
    if mark is not None and answer[0] >= 400:  # a failed answer never follows a completed write
        write_guard.undo_additions(site, mark)
    return wire_faults.rest_answer(site, method, answer) if site.faults else answer  # the wire faults' hook


def _route(site: Site, method: str, parts: list[str], query: str, raw: bytes, base: str) -> Answer:
    now = site.now()
    if len(parts) == 1:
        if method == "POST":
            series = rules.create(site, parse_body(raw), now)
            return 200, render(site, Target(series, "meetingSeries"), now), []
        return _list(site, query, base, now)
    target = rules.lookup(site, parts[1], now)
    if len(parts) == 3:
        if method == "POST":
            return 200, registrants.register(target.series, parse_body(raw), now), []
        return 200, {"items": list(target.series.registrants)}, []
    if method == "GET":
        return 200, render(site, target, now), []
    if method == "DELETE":
        rules.delete(site, target)
        return 204, None, []
    return 200, readback.update(site, target, parse_body(raw), now, method), []


# ---------------------------------------------------------------- list


def _query(query: str) -> dict[str, str]:
    """Query parameters; ``+`` stays ``+`` (an unencoded offset such as ``+08:00`` is kept)."""
    out: dict[str, str] = {}
    for chunk in query.split("&"):
        if not chunk:
            continue
        name, _, value = chunk.partition("=")
        out.setdefault(unquote(name), unquote(value))
    return out


def _int_param(name: str, text: str | None, default: int, low: int, high: int) -> int:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise RestError(400, f"Invalid {name}: {text!r} is not a number.") from None
    if not low <= value <= high:
        raise RestError(400, f"Invalid {name}: must be between {low} and {high}.")
    return value


def _bool_param(name: str, text: str | None, default: bool) -> bool:
    if text is None or text == "":
        return default
    if text.lower() not in ("true", "false"):
        raise RestError(400, f"Invalid {name}: {text!r} is not true or false.")
    return text.lower() == "true"


def _list(site: Site, query: str, base: str, now: datetime) -> Answer:
    params = _query(query)
    maximum = _int_param("max", params.get("max"), DEFAULT_MAX, 1, MAX_MAX)
    offset = _int_param("offset", params.get("offset"), 0, 0, 10_000_000)
    current = _bool_param("current", params.get("current"), True)
    if params.get("meetingNumber"):  # behaviour rest-list-by-meeting-number: from/to/type/state ignored
        found = by_number(site, now, params["meetingNumber"], current=current and not site.fault(BY_NUMBER))
        return _page(site, found, params, offset, maximum, base, now)
    start, end = parse_param_time("from", params.get("from")), parse_param_time("to", params.get("to"))
    if start and end and start > end:
        raise RestError(400, "from cannot be after to.")
    series_id = params.get("meetingSeriesId") or None
    meeting_type = params.get("meetingType") or ("scheduledMeeting" if series_id else "meetingSeries")
    if meeting_type not in MEETING_TYPES:
        raise RestError(400, f"Invalid meetingType {meeting_type!r}: valid values are {', '.join(MEETING_TYPES)}.")
    state = params.get("state") or None
    if state is not None and state not in STATES:
        raise RestError(400, f"Invalid state {state!r}: valid values are {', '.join(STATES)}.")
    found = listing(
        site,
        now,
        meeting_type=meeting_type,
        state=state,
        series_id=series_id,
        number=None,
        start=start,
        end=end,
    )
    return _page(site, found, params, offset, maximum, base, now)


def _page(
    site: Site, found: list[Target], params: dict[str, str], offset: int, maximum: int, base: str, now: datetime
) -> Answer:
    """One page of ``found`` (series in their own zone, occurrences in UTC) and its ``Link``."""
    page = found[offset : offset + maximum]
    items = [readback.listed(site, t, now) for t in page]
    extra: list[tuple[str, str]] = []
    if offset + maximum < len(found):
        params["offset"] = str(offset + maximum)
        params["max"] = str(maximum)
        encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
        extra.append(("Link", f'<{base}/v1/meetings?{encoded}>; rel="next"'))
    return 200, {"items": items}, extra


__all__ = ["RATE_LIMIT", "RATE_WINDOW", "handle", "respond"]
