"""Walking-skeleton load scenario: a CreateMeeting / GetSessionInfo mix (weights 1:3).

Run it through :func:`load.runner.run_load` (which starts locust as a subprocess), or by hand::

    WEBEX_HARNESS_XML_URL=http://127.0.0.1:8080/WBXService/XMLService \\
        locust -f load/locustfile.py --headless -u 5 -r 5 -t 20s --host http://127.0.0.1:8080

Configuration comes from environment variables, read once per locust process when locust fires
its ``init`` event (never at import time):

``WEBEX_HARNESS_ENV``
    The environment file (a path or a bare name such as ``emulator``); default
    ``environments/emulator.yaml``. Its credentials sign every envelope and its
    ``budget.max_requests`` caps the requests of this process.
``WEBEX_HARNESS_XML_URL``
    The XML API URL; overrides the file's ``xml_url`` and is required when that is ``auto``
    (the emulator the harness started).
``WEBEX_HARNESS_RUN_ID``
    Optional: put into every meeting name (``<cleanup_prefix>-<run id>-load-<n>``) so a clean-up
    can find what a run created.

``--host`` is the base URL (``scheme://host:port``); each request POSTs to the XML path. Only
loopback or the XML URL's own origin is accepted as ``--host``: anything else stops locust before
the first request.

Every request is named by API (``CreateMeeting``, ``GetSessionInfo``), never by URL: all XML API
calls hit one URL. A request fails when the HTTP status is not 200, when ``serv:result`` is
``FAILURE`` (the message is ``FAILURE <exceptionID> <reason>``) or when the answer is not a Webex
envelope at all.

Envelopes are built outside the request loop: a pool of :data:`POOL_SIZE` CreateMeeting envelopes
(start dates a few days ahead) at ``init``, and one GetSessionInfo template whose session key is
spliced in as bytes. Responses are read with byte regexes, not an XML parser, to keep the load
generator cheap.

Think time is ``between(0.01, 0.05)`` seconds: a closed model where load grows with ``-u`` (each
user sends roughly ``1 / (latency + 30 ms)`` requests a second) rather than an unbounded flood
that measures the load generator instead of the target.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import random
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from xml.sax.saxutils import unescape

import gevent
from locust import FastHttpUser, between, events, task
from locust import stats as locust_stats
from locust.env import Environment as LocustEnvironment
from locust.exception import RescheduleTask, StopUser
from locust.runners import LocalRunner, MasterRunner, Runner, WorkerRunner

from harness.envelope import Security, build_request
from harness.environment import (
    AUTO,
    XML_SERVICE_PATH,
    EnvironmentFileError,
    load_environment,
    resolve_environment_path,
)

log = logging.getLogger("webex_harness.load")

ENV_FILE_VAR = "WEBEX_HARNESS_ENV"
XML_URL_VAR = "WEBEX_HARNESS_XML_URL"
RUN_ID_VAR = "WEBEX_HARNESS_RUN_ID"

#: CreateMeeting envelopes pre-built per process.
POOL_SIZE = 50
#: How far ahead the pooled meetings start (safely in the future in every time zone).
START_AHEAD = timedelta(days=3)
#: Session keys a user keeps for GetSessionInfo (older ones are replaced at random).
MAX_KEYS_PER_USER = 200

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_KEY_MARKER = "__WXH_SESSION_KEY__"
_HEADERS = {"Content-Type": "text/xml; charset=UTF-8"}

_RESULT_RE = re.compile(rb"<(?:\w+:)?result>\s*(\w+)\s*</(?:\w+:)?result>")
_EXCEPTION_RE = re.compile(rb"<(?:\w+:)?exceptionID>([^<]*)<")
_REASON_RE = re.compile(rb"<(?:\w+:)?reason>([^<]*)<")
_MEETING_KEY_RE = re.compile(rb"<(?:\w+:)?meetingkey>\s*([^<\s]+)\s*<", re.IGNORECASE)
_XML_ENTITIES = {"&quot;": '"', "&apos;": "'"}


class LoadConfigError(RuntimeError):
    """The locustfile cannot be configured (bad environment file, missing or foreign URL)."""


@dataclass(frozen=True, slots=True)
class LoadConfig:
    """Everything the users of one locust process share, built once at ``init``."""

    xml_url: str
    xml_path: str
    origin: str
    create_envelopes: tuple[bytes, ...]
    info_prefix: bytes
    info_suffix: bytes
    max_requests: int
    del_prefix: bytes = b""
    del_suffix: bytes = b""

    def session_info_envelope(self, key: bytes) -> bytes:
        """A GetSessionInfo envelope for ``key`` (XML text as received, so already escaped)."""
        return self.info_prefix + key + self.info_suffix

    def del_meeting_envelope(self, key: bytes) -> bytes:
        """A DelMeeting envelope for ``key``: what a user deletes when it stops."""
        return self.del_prefix + key + self.del_suffix


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, default ports dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        netloc = f"[{host}]" if ":" in host else host
    else:
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return f"{scheme}://{netloc}"


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() in LOOPBACK_HOSTS


def webex_date(moment: datetime) -> str:
    """``MM/DD/YYYY HH:MM:SS``, the XML API's date format."""
    return moment.strftime("%m/%d/%Y %H:%M:%S")


def create_meeting_pool(security: Security, name_prefix: str, now: datetime, size: int = POOL_SIZE) -> list[bytes]:
    """``size`` CreateMeeting envelopes starting a few days after ``now``, 15 minutes apart."""
    envelopes = []
    for i in range(size):
        start = (now + START_AHEAD + timedelta(minutes=15 * i)).replace(second=0, microsecond=0)
        body = {
            "metaData": {"confName": f"{name_prefix}-{i}"},
            "schedule": {"startDate": webex_date(start), "duration": 30},
        }
        envelopes.append(build_request("meeting", "CreateMeeting", body, security))
    return envelopes


def build_config(environ: dict[str, str] | None = None, now: datetime | None = None) -> LoadConfig:
    """Read the environment variables and the environment file; build the envelope pool."""
    environ = dict(os.environ) if environ is None else environ
    path = resolve_environment_path(environ.get(ENV_FILE_VAR) or None)
    try:
        env = load_environment(path, environ)
    except EnvironmentFileError as exc:
        raise LoadConfigError(str(exc)) from None
    xml_url = environ.get(XML_URL_VAR) or env.xml_url
    if xml_url == AUTO:
        raise LoadConfigError(
            f"{path}: xml_url is 'auto': set {XML_URL_VAR} to the running emulator's XML API URL"
        )
    parts = urlsplit(xml_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoadConfigError(f"{XML_URL_VAR}: expected an http(s) URL, got {xml_url!r}")
    if env.xml_url not in (AUTO, xml_url) and not is_loopback(xml_url):
        raise LoadConfigError(
            f"{XML_URL_VAR}: {xml_url!r} is neither loopback nor the environment's own xml_url"
        )
    security = env.security()
    run_id = environ.get(RUN_ID_VAR, "").strip()
    # <prefix>-<run id>-load-<n>: `webex-harness cleanup --run ID` finds leftovers by this name.
    name_prefix = f"{env.cleanup_prefix}" + (f"-{run_id}" if run_id else "") + "-load"
    template = build_request("ep", "GetSessionInfo", {"sessionKey": _KEY_MARKER}, security)
    prefix, suffix = template.split(_KEY_MARKER.encode())
    del_prefix, del_suffix = build_request("meeting", "DelMeeting", {"meetingKey": _KEY_MARKER}, security).split(
        _KEY_MARKER.encode())
    return LoadConfig(
        xml_url=xml_url,
        xml_path=parts.path or XML_SERVICE_PATH,
        origin=origin_of(xml_url),
        create_envelopes=tuple(create_meeting_pool(security, name_prefix, now or datetime.now())),
        info_prefix=prefix,
        info_suffix=suffix,
        max_requests=env.budget.max_requests,
        del_prefix=del_prefix,
        del_suffix=del_suffix,
    )


def failure_message(status: int, content: bytes | None, error: object = None) -> str | None:
    """Why a response counts as a failure, or ``None`` for a SUCCESS envelope with HTTP 200."""
    if status != 200:
        detail = f": {error}" if error else ""
        return f"HTTP {status}{detail}"
    body = content or b""
    result = _RESULT_RE.search(body)
    if result is None:
        return "not a Webex envelope (no serv:result)"
    verdict = result.group(1).decode("ascii", "replace")
    if verdict == "SUCCESS":
        return None
    if verdict == "FAILURE":
        exception = _EXCEPTION_RE.search(body)
        reason = _REASON_RE.search(body)
        exception_id = exception.group(1).decode("utf-8", "replace").strip() if exception else "?"
        text = unescape(reason.group(1).decode("utf-8", "replace"), _XML_ENTITIES).strip() if reason else ""
        return f"FAILURE {exception_id} {text}".rstrip()
    return f"unexpected serv:result {verdict!r}"


def meeting_key(content: bytes | None) -> bytes | None:
    """The ``meet:meetingkey`` of a CreateMeeting response."""
    found = _MEETING_KEY_RE.search(content or b"")
    return found.group(1) if found else None


# --------------------------------------------------------------------------------------------
# Per-process state: the configuration and the request budget

_config: LoadConfig | None = None
_budget_lock = threading.Lock()
_requests_sent = 0
_budget_spent = False


@events.init.add_listener
def _on_init(environment: LocustEnvironment, runner: Runner | None = None, **_: object) -> None:
    """Build the configuration once per process; refuse a foreign ``--host``."""
    global _config
    if isinstance(runner, MasterRunner):
        return  # the master sends no requests
    try:
        config = build_config()
        host = environment.host
        if host and origin_of(host) != config.origin and not is_loopback(host):
            raise LoadConfigError(
                f"--host {host!r} is neither loopback nor the XML API's origin {config.origin!r}"
            )
    except LoadConfigError as exc:
        log.error("webex-harness locustfile: %s", exc)
        raise SystemExit(1) from None
    if not host:
        XmlApiUser.host = config.origin
    _config = config
    log.info(
        "webex-harness load: %s, %d CreateMeeting envelopes, budget %d requests",
        config.xml_url, len(config.create_envelopes), config.max_requests,
    )


@events.quitting.add_listener
def _refresh_csv_before_exit(environment: LocustEnvironment, **_: object) -> None:
    """Let locust's CSV writer write the final stats before locust closes the files.

    locust (2.47) rewrites ``--csv`` files every ``CSV_STATS_INTERVAL_SEC`` (1 s) and does not
    write them once more at shutdown, so without this the CSV files miss up to the last second
    of the run. At ``quitting`` the users have stopped, so one more writer pass is final.
    """
    options = environment.parsed_options
    if options is None or not getattr(options, "csv_prefix", None):
        return
    if isinstance(environment.runner, WorkerRunner):
        return  # workers write no CSV
    gevent.sleep(locust_stats.CSV_STATS_INTERVAL_SEC + 0.2)


def _spend(runner: Runner | None) -> None:
    """Count one request against ``budget.max_requests``.

    Once the budget is spent no request is sent: :class:`RescheduleTask` sends the user back to
    its wait (where stopping users is immediate), and a local runner is told to quit. A worker
    of a distributed run just idles until the master ends the run.
    """
    global _requests_sent, _budget_spent
    assert _config is not None
    with _budget_lock:
        if _requests_sent < _config.max_requests:
            _requests_sent += 1
            return
        first = not _budget_spent
        _budget_spent = True
    if first:
        log.warning("budget.max_requests (%d) reached: no more requests from this process", _config.max_requests)
        if isinstance(runner, LocalRunner):
            gevent.spawn(runner.quit)
    raise RescheduleTask()


# --------------------------------------------------------------------------------------------
# The user


class XmlApiUser(FastHttpUser):
    """A host scheduling meetings and reading them back (CreateMeeting 1 : GetSessionInfo 3)."""

    wait_time = between(0.01, 0.05)
    network_timeout = 30.0
    connection_timeout = 10.0
    insecure = False  # verify TLS against a real site

    def on_start(self) -> None:
        if _config is None:  # pragma: no cover - init failed, locust exits first
            raise StopUser()
        self.config: LoadConfig = _config
        self.random = random.Random()
        offset = self.random.randrange(len(self.config.create_envelopes))
        pool = self.config.create_envelopes
        self.envelopes: Iterator[bytes] = itertools.cycle(pool[offset:] + pool[:offset])
        self.keys: list[bytes] = []
        #: every meeting this user created, deleted again in on_stop (never harm a real site)
        self.created: list[bytes] = []
        with contextlib.suppress(RescheduleTask):  # the budget is spent: the tasks idle too
            self.create_meeting()

    def _post(self, name: str, envelope: bytes, *, want_key: bool = False) -> bytes | None:
        """POST one envelope and judge the answer (module docstring); the body on success.

        ``want_key``: a SUCCESS without ``meet:meetingkey`` is a failure too, and the key is
        returned instead of the body.
        """
        _spend(self.environment.runner)
        with self.client.post(
            self.config.xml_path, data=envelope, headers=_HEADERS, name=name, catch_response=True
        ) as response:
            status = int(response.status_code or 0)
            content = response.content if status == 200 else None
            problem = failure_message(status, content, getattr(response, "error", None))
            result = content
            if problem is None and want_key:
                result = meeting_key(content)
                if result is None:
                    problem = "SUCCESS without meet:meetingkey"
            if problem is not None:
                response.failure(problem)
                return None
            response.success()
            return result

    def on_stop(self) -> None:
        """Delete every meeting this user created. Named ``DelMeeting (clean-up)`` so it reads
        apart from the measured calls; the clean-up is not held to the request budget."""
        for key in self.created:
            with self.client.post(
                self.config.xml_path, data=self.config.del_meeting_envelope(key), headers=_HEADERS,
                name="DelMeeting (clean-up)", catch_response=True,
            ) as response:
                problem = failure_message(int(response.status_code or 0), response.content,
                                          getattr(response, "error", None))
                if problem is None:
                    response.success()
                else:
                    response.failure(problem)
        self.created.clear()

    @task(1)
    def create_meeting(self) -> None:
        key = self._post("CreateMeeting", next(self.envelopes), want_key=True)
        if key is None:
            return
        self.created.append(key)
        if len(self.keys) < MAX_KEYS_PER_USER:
            self.keys.append(key)
        else:
            self.keys[self.random.randrange(MAX_KEYS_PER_USER)] = key

    @task(3)
    def get_session_info(self) -> None:
        if not self.keys:
            self.create_meeting()
            return
        key = self.random.choice(self.keys)
        self._post("GetSessionInfo", self.config.session_info_envelope(key))
