"""httpx clients: what the API clients share, the XML API client and the emulator's control client.

:class:`ApiClient` is what :class:`XmlClient` and :class:`~client.rest_client.RestClient` share: the
options both take (:class:`ClientOptions` — the pooled HTTP client, timeout, request budget, the run's
:class:`~webex.masking.SecretSet`, the exchange hook, the checks every answer is judged by:
:mod:`client.checker`) and the masked record of each exchange
(:class:`Exchange`, kept as ``last`` and handed to ``on_exchange``: the client's log).

:class:`XmlClient` posts envelopes to ``/WBXService/XMLService`` over one pooled
``httpx.Client`` and returns an :class:`~webex.envelope.XmlResponse` (read once per exchange by
:mod:`client.exchange_reader`, the same object the hooks on that client saw). It never raises for what a
site answers and never hides a FAILURE: timeouts, resets, HTML error pages, empty bodies and 5xx
all come back as ``result == "INVALID"`` with ``problem`` saying what happened. Only the request
budget (:class:`BudgetExceeded`) stops a run.

Every request that leaves counts against the budget: a retry after a connection error, and each of
the at most :data:`MAX_503_RETRIES` retries of a transient ``503`` (sent after the answer's
``Retry-After``, capped at :data:`MAX_503_WAIT` seconds — :func:`send_retrying_503`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, TypedDict, Unpack

import httpx

from webex_harness.client.checker import Checker
from webex_harness.client.exchange_reader import answer
from webex_harness.webex.envelope import BodyTree, Security, XmlResponse, build_request
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.budget import BudgetDraw


class BudgetExceeded(RuntimeError):
    """The run's request budget (count or duration) is spent: no further request is sent.

    Subclasses that refuse one request for safety (the usage-limit guard, REST pacing) set
    :attr:`ends_run` to False: only the test that met them is skipped, later tests still run.
    """

    #: True: the run can send nothing more (every later contract test is skipped "budget spent");
    #: False: this request was refused for the site's safety (the test is skipped "safety stop").
    ends_run: ClassVar[bool] = True


#: retries of a ``503`` answer (each one a request of the budget)
MAX_503_RETRIES = 3
#: the longest wait before a retry, whatever ``Retry-After`` asks
MAX_503_WAIT = 5.0
#: the wait when a ``503`` names none (or an unreadable one)
DEFAULT_503_WAIT = 1.0


@dataclass(slots=True)
class RequestBudget:
    """At most ``max_requests`` requests and ``max_seconds`` of wall time for a process; with
    ``shared`` each request is also taken from the run's shared counter (:mod:`workspace.budget`),
    which caps every process of the run together."""

    max_requests: int = 5000
    max_seconds: float = 1800.0
    used: int = 0
    started: float = field(default_factory=time.monotonic)
    shared: BudgetDraw | None = None

    def spend(self) -> None:
        if self.used >= self.max_requests:
            raise BudgetExceeded(f"request budget spent: {self.used} of {self.max_requests} requests")
        elapsed = time.monotonic() - self.started
        if elapsed > self.max_seconds:
            raise BudgetExceeded(f"time budget spent: {elapsed:.0f}s of {self.max_seconds:.0f}s")
        if self.shared is not None and not self.shared.take():
            raise BudgetExceeded(
                f"request budget spent: nothing left of the {self.shared.describe()} after "
                f"{self.used} requests of this process"
            )
        self.used += 1

    def close(self) -> None:
        """Give what this process took from the shared counter and did not send back to the run."""
        if self.shared is not None:
            self.shared.close()


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` value in seconds from now (delta-seconds or an HTTP date, never below 0);
    None when absent or unreadable. The one reading of the header: 503 retries and REST pacing."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (now if now is not None else time.time())
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def retry_after_seconds(value: str | None) -> float:
    """The wait a ``Retry-After`` header asks for (seconds or an HTTP date), at most :data:`MAX_503_WAIT`."""
    seconds = parse_retry_after(value)
    return DEFAULT_503_WAIT if seconds is None else min(MAX_503_WAIT, seconds)


def send_retrying_503(
    send: Callable[[], httpx.Response],
    budget: RequestBudget | None,
    *,
    retries: int = MAX_503_RETRIES,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """``send()``; while the answer is a ``503`` (a busy site or its load balancer), wait its
    ``Retry-After`` (capped) and send again, at most ``retries`` times, each retry spent from
    ``budget`` first (:class:`BudgetExceeded` when it is spent). The last answer, 503 or not."""
    response = send()
    for _ in range(retries):
        if response.status_code != 503:
            break
        sleep(retry_after_seconds(response.headers.get("retry-after")))
        if budget is not None:
            budget.spend()
        response = send()
    return response


@dataclass(slots=True)
class Exchange:
    """A masked record of one request and its answer, kept as evidence for reports."""

    api: str
    request: str
    response: str
    http_status: int
    elapsed: float


class ClientOptions(TypedDict, total=False):
    """The options the XML and REST clients both take (keyword arguments of either constructor)."""

    #: the pooled client to send on (the session's carries the ledger hooks and the safety rails);
    #: none: the client opens, and closes, its own
    http: httpx.Client | None
    #: seconds a request may take (default 15): the timeout of a client's own HTTP client; the REST
    #: client also sets it on each request it sends on a shared one
    timeout: float
    #: the requests this process may still send (none: no limit)
    budget: RequestBudget | None
    #: the run's secrets, masked in every record (none: a set of the client's own)
    secrets: SecretSet | None
    #: called with the masked record of every exchange (the pytest plugin's recorder)
    on_exchange: Callable[[Exchange], None] | None
    #: the checks every answer is judged by (:mod:`client.checker`; none: no check)
    checks: Checker | None


#: seconds for each request unless :attr:`ClientOptions.timeout` says otherwise
DEFAULT_TIMEOUT = 15.0


class ApiClient:
    """What the XML and REST clients share: the HTTP client (and whether it is their own), timeout,
    budget, the run's secret set, and the masked record of each exchange (``last``, ``on_exchange``).

    A client masks its records with the run's set and with its own credentials (:meth:`own_secrets`),
    which join the run's set only when the target accepts them (the ledger hooks see to that: a
    refused credential is test data)."""

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        http = options.get("http")
        self.timeout = options.get("timeout", DEFAULT_TIMEOUT)
        self._own_http = http is None
        self.http = http or httpx.Client(timeout=self.timeout)
        self.budget = options.get("budget")
        secrets = options.get("secrets")
        self.secrets = secrets if secrets is not None else SecretSet()  # an empty set is the run's too
        self.on_exchange = options.get("on_exchange")
        self.checks = options.get("checks")
        self.last: Exchange | None = None

    def shared_options(self) -> ClientOptions:
        """The options of a client for another user sharing this one's pool, budget, secrets and recorder."""
        return {
            "http": self.http,
            "timeout": self.timeout,
            "budget": self.budget,
            "secrets": self.secrets,
            "on_exchange": self.on_exchange,
            "checks": self.checks,
        }

    def own_secrets(self) -> Iterable[str]:
        """The credentials this client sends (masked in its records whether or not the target takes them)."""
        return ()

    def masked(self, text: str) -> str:
        """``text`` masked with the run's secrets and this client's own."""
        return self.secrets.mask(text, also=self.own_secrets())

    def record(self, exchange: Exchange) -> None:
        """Keep the (masked) record of an exchange and hand it to ``on_exchange``."""
        self.last = exchange
        if self.on_exchange is not None:
            self.on_exchange(exchange)

    def close(self) -> None:
        if self._own_http:
            self.http.close()


def _is_idempotent(api: str) -> bool:
    return api.startswith(("Get", "Lst"))


class XmlClient(ApiClient):
    """Send XML API requests for one user of one site."""

    def __init__(self, xml_url: str, security: Security, **options: Unpack[ClientOptions]) -> None:
        super().__init__(**options)
        self.xml_url = xml_url
        self.security = security
        self._credentials = security.secrets()

    def with_security(self, security: Security) -> XmlClient:
        """A client for another user sharing this one's connection pool, budget, secrets and recorder."""
        return XmlClient(self.xml_url, security, **self.shared_options())

    def own_secrets(self) -> Iterable[str]:
        return self._credentials

    def call(
        self,
        service: str,
        api: str,
        body: BodyTree | None = None,
        *,
        security: Security | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> XmlResponse:
        """Build and send one request; the parsed answer, FAILURE or not."""
        if security is not None:  # a per-call user's credentials are masked in the record too
            self._credentials += [s for s in security.secrets() if s not in self._credentials]
        raw = build_request(service, api, body or {}, security or self.security)
        return self.send(raw, api=api, headers=headers)

    def send(self, raw: bytes, *, api: str = "?", headers: Mapping[str, str] | None = None) -> XmlResponse:
        """Send a ready envelope (a generator's output, say)."""
        send_headers = {"Content-Type": "text/xml;charset=UTF-8", **(headers or {})}
        attempts = 2 if _is_idempotent(api) else 1
        started = time.perf_counter()
        response: XmlResponse | None = None
        for attempt in range(attempts):
            if self.budget is not None:  # the retry after a connection error is a request too
                self.budget.spend()
            try:
                r = send_retrying_503(
                    lambda: self.http.post(self.xml_url, content=raw, headers=send_headers), self.budget
                )
            except httpx.TimeoutException as exc:
                problem = f"timeout: {type(exc).__name__}"
            except httpx.TransportError as exc:
                problem = f"connection error: {type(exc).__name__}: {exc}"
            except httpx.RequestError as exc:  # DecodingError (bad Content-Encoding), TooManyRedirects
                problem = f"unreadable answer: {type(exc).__name__}: {exc}"
            else:
                elapsed = time.perf_counter() - started
                response = answer(r)  # parsed once: the hooks on ``http`` may have read it already
                response.elapsed = elapsed
                break
            if attempt + 1 == attempts:
                response = XmlResponse(http_status=0, raw=b"", elapsed=time.perf_counter() - started, problem=problem)
        assert response is not None
        self._record(api, raw, response)
        if self.checks is not None:  # after the record: a failed check's test keeps the exchange as evidence
            self.checks.xml(api, response)
        return response

    def _record(self, api: str, raw: bytes, response: XmlResponse) -> None:
        self.record(
            Exchange(
                api=api,
                request=self.masked(raw.decode("utf-8", "replace")),
                response=(
                    self.masked(response.raw.decode("utf-8", "replace"))
                    if response.raw
                    else f"(no body: {response.problem})"
                ),
                http_status=response.http_status,
                elapsed=response.elapsed,
            )
        )


#: The environment variable that hands the control API's token to every client of it.
CONTROL_TOKEN_VAR = "WEBEX_HARNESS_CONTROL_TOKEN"


class ControlError(RuntimeError):
    pass


class ControlClient:
    """The emulator's ``/_emulator/`` control API."""

    def __init__(self, base_url: str, http: httpx.Client | None = None, token: str | None = None) -> None:
        self.base = base_url.rstrip("/") + "/_emulator"
        self.http = http or httpx.Client(timeout=15.0)
        #: the emulator's control token (``webex-harness emulator --control-token``); default
        #: ``$WEBEX_HARNESS_CONTROL_TOKEN``, none when that is unset
        self.token = token or os.environ.get(CONTROL_TOKEN_VAR, "").strip() or None

    def _req(self, method: str, path: str, payload: Any = None) -> Any:
        # a POST always carries JSON (the control API refuses any other Content-Type)
        body = {} if payload is None and method == "POST" else payload
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        r = self.http.request(method, self.base + path, json=body, headers=headers)
        if r.status_code >= 400:
            raise ControlError(f"{method} /_emulator{path}: HTTP {r.status_code}: {r.text}")
        return r.json()

    def _object(self, method: str, path: str, payload: Any = None) -> dict[str, Any]:
        """A request whose answer is a JSON object (:class:`ControlError` when it is anything else)."""
        data = self._req(method, path, payload)
        if not isinstance(data, dict):
            raise ControlError(f"{method} /_emulator{path}: the answer is not a JSON object: {str(data)[:80]}")
        return data

    def health(self) -> dict[str, Any]:
        return self._object("GET", "/health")

    def create_site(
        self,
        settings: Mapping[str, Any] | None = None,
        users: list[dict[str, Any]] | None = None,
        faults: list[str] | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"settings": dict(settings or {})}
        if users is not None:
            payload["users"] = users
        if faults:
            payload["faults"] = faults
        if name:
            payload["name"] = name
        return self._object("POST", "/sites", payload)

    def state(self, site: str, *, secrets: bool = False) -> dict[str, Any]:
        """What the site has stored; its passwords and host keys masked unless ``secrets``."""
        return self._object("GET", f"/sites/{site}/state" + ("?secrets=true" if secrets else ""))

    def advance_clock(self, site: str, seconds: float) -> str:
        return str(self._req("POST", f"/sites/{site}/clock", {"advance_seconds": seconds})["now"])

    def set_settings(self, site: str, **settings: Any) -> dict[str, Any]:
        return self._object("POST", f"/sites/{site}/settings", settings)

    def set_faults(self, site: str, enable: list[str] | None = None, disable: list[str] | None = None) -> list[str]:
        return list(
            self._req("POST", f"/sites/{site}/faults", {"enable": enable or [], "disable": disable or []})["faults"]
        )

    def set_session(self, site: str, key: str, **live: Any) -> dict[str, Any]:
        return self._object("POST", f"/sites/{site}/sessions/{key}", live)

    def access_recording(self, site: str, recording_id: str, **access: Any) -> dict[str, Any]:
        """A participant views or downloads a recording now: ``name``, ``email``, ``action``
        (``view`` or ``download``), ``registered``."""
        return self._object("POST", f"/sites/{site}/recordings/{recording_id}/access", access)

    def set_labs(self, site: str, labs: list[dict[str, Any]]) -> dict[str, Any]:
        """The site's Hands-on Labs become ``labs`` (each ``labName``, ``description``, ``computers``);
        every reservation goes."""
        return self._object("POST", f"/sites/{site}/labs", {"labs": labs})

    def support_feedback(self, site: str, key: str, **answers: str) -> dict[str, Any]:
        """A customer of the support session ``key`` sends the feedback form (``setup``, ``easeOfUse``,
        ``performance``, ``comment``)."""
        return self._object("POST", f"/sites/{site}/sessions/{key}/feedback", answers)

    def set_programs(self, site: str, programs: list[dict[str, Any]]) -> dict[str, Any]:
        """The site's Event Center programs become ``programs`` (each ``programName``, ``hostWebExID``,
        ``expectedEnrollment``, ``budget``, ``status``), each with one recorded event."""
        return self._object("POST", f"/sites/{site}/programs", {"programs": programs})

    def answer_test(self, site: str, test_id: str, **sheet: Any) -> dict[str, Any]:
        """A participant answers a library test now: ``name``, ``email``, ``answers`` (item position
        from 1 -> the choice picked, from 1); answers its score and the test's maximum."""
        return self._object("POST", f"/sites/{site}/tests/{test_id}/answers", sheet)

    def reset(self) -> None:
        self._req("POST", "/reset")

    def faults(self) -> list[dict[str, str]]:
        return list(self._req("GET", "/faults")["faults"])
