"""httpx client for the Webex REST meetings API (``/v1/meetings``; 003; docs/wire.md J1–J11).

:class:`RestClient` sends bearer-token requests over a pooled ``httpx.Client`` and returns a
:class:`RestResponse`. Like :class:`~client.xml_client.XmlClient` it never raises for what a target
answers: timeouts and connection resets come back with ``status == 0``, HTML pages, empty or broken
bodies with their HTTP status, each with ``problem`` saying what was odd. Only the request budget
(:class:`~client.xml_client.BudgetExceeded`) stops a run.

Every exchange is recorded masked (:meth:`~client.xml_client.ApiClient.masked`: the run's
:class:`~webex.masking.SecretSet` and the client's own tokens): the bearer token never appears in a
record, nor do passwords in the JSON. It takes the same options as the XML client
(:class:`~client.xml_client.ClientOptions`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Unpack
from urllib.parse import quote

import httpx

from webex_harness.client.rest_pacing import pacer_of
from webex_harness.client.xml_client import ApiClient, ClientOptions, Exchange, send_retrying_503
from webex_harness.webex.masking import MASK

_IDEMPOTENT = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})
_NO_VALUE = object()


@dataclass(slots=True)
class RestResponse:
    """One answer: HTTP ``status`` (0 = none), parsed ``json`` (None when absent or not JSON)."""

    status: int
    json: Any
    headers: Mapping[str, str]
    elapsed: float
    problem: str | None = None
    raw: bytes = field(default=b"", repr=False)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.problem is None

    @property
    def message(self) -> str | None:
        """The error JSON's ``message`` (docs/wire.md J3: ``{"message", "errors", "trackingId"}``)."""
        return self.json.get("message") if isinstance(self.json, dict) else None

    @property
    def descriptions(self) -> list[str]:
        errors = self.json.get("errors") if isinstance(self.json, dict) else None
        if not isinstance(errors, list):
            return []
        return [str(e.get("description")) for e in errors if isinstance(e, dict) and e.get("description")]

    @property
    def items(self) -> list[Any]:
        """``items`` of a list answer ([] when absent)."""
        found = self.json.get("items") if isinstance(self.json, dict) else None
        return list(found) if isinstance(found, list) else []

    @property
    def next_link(self) -> str | None:
        """The RFC 5988 ``Link: <…>; rel="next"`` target, if any."""
        header = self.headers.get("link") or ""
        for part in header.split(","):
            url, _, params = part.partition(";")
            if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
                return url.strip().strip("<>")
        return None

    def describe(self) -> str:
        """A one-line summary for assertion messages."""
        detail = self.message or self.problem or ""
        return f"HTTP {self.status} {detail}".strip()


class RestClient(ApiClient):
    """Send REST meetings requests with one bearer token."""

    def __init__(self, base_url: str, token: str, **options: Unpack[ClientOptions]) -> None:
        super().__init__(**options)
        self.base_url = base_url.rstrip("/")
        self.token = token

    def with_token(self, token: str) -> RestClient:
        """A client with another token sharing this one's pool, budget, secrets and recorder."""
        return RestClient(self.base_url, token, **self.shared_options())

    def own_secrets(self) -> Iterable[str]:
        return (self.token,)

    # -- the API -------------------------------------------------------------------------
    def create(self, body: Mapping[str, Any]) -> RestResponse:
        return self.request("POST", "/meetings", json_body=body, api="POST /v1/meetings")

    def get(self, meeting_id: str) -> RestResponse:
        return self.request("GET", f"/meetings/{quote(meeting_id, safe='')}", api="GET /v1/meetings/{id}")

    def list_meetings(self, **params: Any) -> RestResponse:
        """``GET /v1/meetings`` with filters (``max``, ``from_``/``from``, ``to``, ``meetingType``, …)."""
        query = {("from" if k == "from_" else k): v for k, v in params.items() if v is not None}
        return self.request("GET", "/meetings", params=query, api="GET /v1/meetings")

    def update(self, meeting_id: str, body: Mapping[str, Any], method: str = "PATCH") -> RestResponse:
        verb = method.upper()
        return self.request(
            verb, f"/meetings/{quote(meeting_id, safe='')}", json_body=body, api=f"{verb} /v1/meetings/{{id}}"
        )

    def delete(self, meeting_id: str) -> RestResponse:
        return self.request("DELETE", f"/meetings/{quote(meeting_id, safe='')}", api="DELETE /v1/meetings/{id}")

    def follow(self, url: str) -> RestResponse:
        """GET an absolute URL (a ``Link`` header's next page)."""
        return self.request("GET", url, api="GET /v1/meetings")

    # -- the wire ------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = _NO_VALUE,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        token: str | object | None = _NO_VALUE,
        api: str | None = None,
        _retry: int = 0,
    ) -> RestResponse:
        """One request. ``path`` is relative to the base URL (or absolute); ``json_body`` is
        serialised as ``application/json``, ``content`` sent as is; ``token=None`` sends no
        ``Authorization`` header, another string sends that token instead. A transient ``503`` is
        retried (:func:`~client.xml_client.send_retrying_503`); every attempt counts against the budget. A
        ``429`` is waited out and sent again (``Retry-After``, bounded) when the HTTP client paces a
        site run (:mod:`client.rest_pacing`)."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        send_headers: dict[str, str] = {"Accept": "application/json"}
        bearer = self.token if token is _NO_VALUE else token
        if isinstance(bearer, str):
            send_headers["Authorization"] = f"Bearer {bearer}"
        body = content
        if json_body is not _NO_VALUE:
            body = json.dumps(json_body).encode()
            send_headers["Content-Type"] = "application/json"
        send_headers.update(headers or {})
        method = method.upper()
        attempts = 2 if method in _IDEMPOTENT else 1
        started = time.perf_counter()
        response: RestResponse | None = None
        final_url = url
        for attempt in range(attempts):
            if self.budget is not None:
                self.budget.spend()
            try:
                r = send_retrying_503(
                    lambda: self.http.request(
                        method,
                        url,
                        content=body,
                        params=dict(params or {}) or None,
                        headers=send_headers,
                        timeout=self.timeout,
                    ),
                    self.budget,
                )
            except httpx.TimeoutException as exc:
                problem = f"timeout: {type(exc).__name__}"
            except httpx.TransportError as exc:
                problem = f"connection error: {type(exc).__name__}: {exc}"
            else:
                final_url = str(r.request.url)
                response = _parse(r, time.perf_counter() - started)
                break
            if attempt + 1 == attempts:
                response = RestResponse(0, None, {}, time.perf_counter() - started, problem)
        assert response is not None
        extra = [s for s in (bearer,) if isinstance(s, str)]
        self._record(api or f"{method} {path}", method, final_url, send_headers, body, response, extra)
        if self.checks is not None:  # every answer, a 429 about to be retried too
            self.checks.rest(method, api or f"{method} {path}", response)
        pacer = pacer_of(self.http) if response.status == 429 else None
        wait = pacer.retry_wait(response.headers, _retry + 1) if pacer is not None else None
        if pacer is not None and wait is not None:  # each retry is a request of its own: budget, pacing
            pacer.wait_for_retry(wait, _retry + 1, api or f"{method} {path}")
            return self.request(
                method,
                path,
                json_body=json_body,
                content=content,
                params=params,
                headers=headers,
                token=token,
                api=api,
                _retry=_retry + 1,
            )
        return response

    def _record(
        self,
        api: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        response: RestResponse,
        extra_secrets: list[str],
    ) -> None:
        own = [*self.own_secrets(), *extra_secrets]
        shown = {k: (f"Bearer {MASK}" if k.lower() == "authorization" else v) for k, v in headers.items()}
        request_text = f"{method} {url}\n" + "".join(f"{k}: {v}\n" for k, v in shown.items())
        if body:
            request_text += "\n" + body.decode("utf-8", "replace")
        if response.status:
            answer = f"HTTP {response.status}\n" + "".join(
                f"{k}: {v}\n" for k, v in response.headers.items() if k.lower() != "set-cookie"
            )
            answer += "\n" + (response.raw.decode("utf-8", "replace") if response.raw else "(no body)")
        else:
            answer = f"(no answer: {response.problem})"
        self.record(
            Exchange(
                api=api,
                request=self.secrets.mask(request_text, also=own),
                response=self.secrets.mask(answer, also=own),
                http_status=response.status,
                elapsed=response.elapsed,
            )
        )


def _parse(r: httpx.Response, elapsed: float) -> RestResponse:
    raw = r.content
    headers = {k.lower(): v for k, v in r.headers.items()}
    ctype = headers.get("content-type", "")
    problem: str | None = None
    data: Any = None
    if not raw.strip():
        if r.status_code != 204:
            problem = f"empty body with HTTP {r.status_code}"
    else:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            snippet = raw[:80].decode("utf-8", "replace").replace("\n", " ")
            problem = f"body is not JSON (Content-Type {ctype or 'none'}): {snippet!r}"
        else:
            if "json" not in ctype.lower():
                problem = f"JSON body with Content-Type {ctype or 'none'}"
    return RestResponse(r.status_code, data, headers, elapsed, problem, raw)


__all__ = ["RestClient", "RestResponse"]
