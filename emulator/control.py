"""The control API under ``/_emulator/`` — JSON in and out.

=======  ===============================  =============================================
method   path                             what it does
=======  ===============================  =============================================
GET      health                           ``{"status": "ok", "version", "sites", "requests"}``
GET      faults                           every fault ID with what it breaks
POST     reset                            drop every created site, renew the default one
POST     sites                            new site: ``{"name"?, "settings"?, "users"?, "faults"?, "busy"?}``
GET      sites/{site}/state               what the site has stored, passwords and host keys masked
                                          (``?secrets=true``: as stored)
POST     sites/{site}/clock               ``{"advance_seconds": N}`` moves the site's clock
POST     sites/{site}/settings            change settings: ``{"<name>": value, ...}``
POST     sites/{site}/faults              ``{"enable": [IDs], "disable": [IDs]}``
POST     sites/{site}/sessions/{key}      live state: ``{"status", "host_in_meeting", "attendees_in_meeting"}``;
                                          ``"callback": "<digits>"``: the service calls that number back now
POST     sites/{site}/recordings/{id}/    a participant viewed or downloaded the recording now:
         access                           ``{"name", "email", "action": "view"|"download", "registered"?}``
POST     sites/{site}/labs                the site's Hands-on Labs become ``{"labs": [{"labName",
                                          "description"?, "computers"}]}`` (reservations dropped)
POST     sites/{site}/sessions/{key}/ a customer of the support session sent the feedback form:
         feedback                         ``{"setup"?, "easeOfUse"?, "performance"?, "comment"?}``
POST     sites/{site}/programs            the site's Event Center programs become ``{"programs":
                                          [{"programName", "hostWebExID", "expectedEnrollment"?,
                                          "budget"?, "status"?}]}`` (each with one recorded event)
POST     sites/{site}/tests/{id}/answers  a participant answered a library test now (GetIMStestResult):
                                          ``{"name", "email", "answers": {"<item>": <choice>}}``
=======  ===============================  =============================================

``clock`` takes a finite number of seconds and keeps the clock within 100 years of real time;
``sessions/{key}`` an object of those three fields only (a string, a boolean, a whole number from 0 to
100000). Anything else is a 400 naming what is wrong, and nothing changes.

A new site gets the users it is given (``webExID``, ``password``, ``email``, ``firstName``,
``lastName``, ``siteAdmin``), or by default a host ``host``, a site admin ``admin`` and two plain
users ``invitee`` and ``outsider``, each with a generated password; the answer lists them with their
passwords and the site's REST bearer token.

Request counts: ``health``'s ``"requests"`` is every request the emulator answered outside the
control API since it started (XML and REST, 503s, 401s and 404s included; a reset does not zero
it); a site's ``state`` has ``"requests": {"xml": n, "rest": n}``, the requests addressed to that
site (XML: whose envelope routes to it, which needs a parseable envelope; REST: with its token).
The state also lists the site's REST meeting series (``"rest_meetings"``: id, title, start, host).

``"busy"`` makes the new site a busy shared production site (:mod:`emulator.busy`): ``true`` for
the defaults, or an object of options — ``seed`` (int), ``host`` (webExID), ``colleagues`` (6),
``meetings`` (24), ``events`` (6), ``training_sessions`` (6), ``contacts`` (8), ``rest_meetings``
(8), ``past_days`` (14), ``future_days`` (21), ``writer_every`` (20 requests; 0 = no writer),
``writer_max_live`` (12), ``jitter_ms`` (5; 0 = none), ``unavailable_one_in`` (200; 0 = no 503s),
``retry_after_seconds`` (1), ``protected_prefix`` (``"wxh"``). An unknown option or a wrong type is
a 400 naming it, and no site is created. The site's state then shows ``"busy"``: the options in
force (the seed drawn when none was given), the colleagues, what was seeded, the requests seen,
the 503s answered and the writer's moves (its live objects and its last 200 creates and deletes).
"""

from __future__ import annotations

import json
import re
from typing import Any

from webex_harness.emulator.busy import make_busy
from webex_harness.emulator.busy_state import BusyOptionError, parse_options
from webex_harness.emulator.feedback_store import DEFAULT_FIELDS
from webex_harness.emulator.history_store import ACCESS_ACTIONS
from webex_harness.emulator.model import Site, User, clock_problem, generate_password
from webex_harness.emulator.registered import all_faults, unknown_faults
from webex_harness.emulator.registry import Registry
from webex_harness.emulator.services.ims_tests import record_answers
from webex_harness.webex import __version__
from webex_harness.webex.settings import SiteSettings, api_version_problem


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _settings_from(data: Any, base: SiteSettings) -> SiteSettings:
    if data is None:
        return base
    if not isinstance(data, dict):
        raise ControlError(400, "settings must be an object")
    types = SiteSettings.types()
    for key, value in data.items():
        expected = types.get(key)
        if expected is None:
            raise ControlError(400, f"unknown setting {key!r} (known: {', '.join(sorted(types))})")
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if not ok:
            raise ControlError(400, f"setting {key!r} must be {expected.__name__}, got {value!r}")
    problem = api_version_problem(data["api_version"]) if "api_version" in data else None
    if problem:
        raise ControlError(400, f"setting 'api_version': {problem}")
    return base.updated(data)


def _users_from(data: Any) -> list[User]:
    if data is None:
        return [
            User("host", generate_password(), email="host@example.com", first_name="Harness", last_name="Host"),
            User(
                "admin",
                generate_password(),
                email="admin@example.com",
                first_name="Site",
                last_name="Admin",
                site_admin=True,
            ),
            User("invitee", generate_password(), email="invitee@example.com", first_name="Ivy", last_name="Invitee"),
            User(
                "outsider", generate_password(), email="outsider@example.com", first_name="Otto", last_name="Outsider"
            ),
        ]
    if not isinstance(data, list):
        raise ControlError(400, "users must be a list")
    users = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("webExID"), str):
            raise ControlError(400, "each user needs a string webExID")
        webex_id = item["webExID"]
        users.append(
            User(
                webex_id,
                str(item.get("password") or generate_password()),
                email=str(item.get("email") or f"{webex_id.lower()}@example.com"),
                first_name=str(item.get("firstName", "")),
                last_name=str(item.get("lastName", "")),
                site_admin=bool(item.get("siteAdmin", False)),
            )
        )
    return users


def _set_faults(site: Site, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ControlError(400, 'expected {"enable": [...], "disable": [...]}')
    enable = data.get("enable", []) or []
    disable = data.get("disable", []) or []
    if not isinstance(enable, list) or not isinstance(disable, list):
        raise ControlError(400, "enable and disable must be lists of behaviour IDs")
    unknown = unknown_faults([str(x) for x in enable + disable])
    if unknown:
        raise ControlError(400, f"unknown fault(s): {', '.join(unknown)}")
    site.faults.update(enable)
    site.faults.difference_update(disable)
    return {"site": site.name, "faults": sorted(site.faults)}


#: A session's live state the control API sets: field -> (type, what the value must be).
_LIVE_FIELDS: dict[str, tuple[type, str]] = {
    "status": (str, "a string"),
    "host_in_meeting": (bool, "true or false"),
    "attendees_in_meeting": (int, "a whole number from 0 to 100000"),
    "callback": (str, "a string of digits (country and area code included)"),
}


def _live_state(data: Any) -> dict[str, Any]:
    """A ``sessions/{key}`` body checked before anything changes: an object of the known fields."""
    if not isinstance(data, dict):
        raise ControlError(400, 'expected {"status"?, "host_in_meeting"?, "attendees_in_meeting"?}')
    for name, value in data.items():
        if name not in _LIVE_FIELDS:
            raise ControlError(400, f"unknown field {name!r} (known: {', '.join(_LIVE_FIELDS)})")
        kind, expected = _LIVE_FIELDS[name]
        wrong_bool = isinstance(value, bool) and kind is not bool
        out_of_range = kind is int and isinstance(value, int) and not 0 <= value <= 100000
        not_digits = name == "callback" and not (isinstance(value, str) and re.fullmatch(r"[0-9]+", value))
        if not isinstance(value, kind) or wrong_bool or out_of_range or not_digits:
            raise ControlError(400, f"{name} must be {expected}")
    return data


def handle(registry: Registry, method: str, path: str, body: bytes) -> tuple[int, Any]:
    """Answer one control request: (status, JSON-able payload). ``path`` may end in a query
    (``?secrets=true``)."""
    path, _, query = path.partition("?")
    parts = [p for p in path.split("/") if p]
    secrets = "secrets=true" in query.lower().split("&")
    try:
        data = json.loads(body) if body.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return 400, {"error": f"body is not JSON: {exc}"}
    try:
        with registry.lock:
            return 200, _route(registry, method, parts, data, secrets=secrets)
    except ControlError as exc:
        return exc.status, {"error": exc.message}
    except KeyError as exc:
        return 400, {"error": str(exc.args[0]) if exc.args else "bad request"}


def _site(registry: Registry, name: str) -> Site:
    site = registry.get(name)
    if site is None:
        raise ControlError(404, f"no site {name!r}")
    return site


def _record_access(site: Site, recording_id: str, data: Any) -> dict[str, Any]:
    """A view or download of ``recording_id`` now (the history service's recording access reports)."""
    if site.recordings.get(recording_id) is None:
        raise ControlError(404, f"no recording {recording_id!r} on site {site.name!r}")
    if not isinstance(data, dict):
        raise ControlError(400, 'expected {"name", "email", "action": "view"|"download", "registered"?}')
    name, email, act = data.get("name"), data.get("email"), data.get("action", "view")
    registered = data.get("registered", False)
    if not (isinstance(name, str) and name.strip() and isinstance(email, str) and email.strip()):
        raise ControlError(400, "an access needs a non-empty name and email")
    if act not in ACCESS_ACTIONS or not isinstance(registered, bool):
        raise ControlError(400, f"action must be one of {', '.join(ACCESS_ACTIONS)} and registered a boolean")
    now = site.now().replace(tzinfo=None)
    access = site.recording_access.add(
        recording_id, name.strip(), email.strip().lower(), now, act, registered, now if registered else None
    )
    return {"view_id": access.view_id, "recording_id": recording_id, "action": act, "time": now.isoformat()}


def _set_labs(site: Site, data: Any) -> dict[str, Any]:
    """The site's Hands-on Labs (Training Center) become the ones ``data`` lists; reservations go."""
    labs = data.get("labs") if isinstance(data, dict) else None
    if not isinstance(labs, list):
        raise ControlError(400, 'expected {"labs": [{"labName", "description"?, "computers"}]}')
    parsed: list[tuple[str, str, int]] = []
    for lab in labs:
        name = lab.get("labName") if isinstance(lab, dict) else None
        computers = lab.get("computers") if isinstance(lab, dict) else None
        description = lab.get("description", "") if isinstance(lab, dict) else None
        if not (isinstance(name, str) and name.strip()) or not isinstance(description, str):
            raise ControlError(400, "a lab needs a non-empty labName and a string description")
        if not isinstance(computers, int) or isinstance(computers, bool) or computers < 1:
            raise ControlError(400, f"lab {name!r}: computers must be a positive integer")
        if any(name.strip().lower() == seen.lower() for seen, _, _ in parsed):
            raise ControlError(400, f"lab {name!r} named twice")
        parsed.append((name.strip(), description, computers))
    site.labs.replace(parsed)
    return {"labs": [lab.public() for lab in site.labs.labs()]}


def _feedback(site: Site, key: str, data: Any) -> dict[str, Any]:
    """A customer of the support session ``key`` sent the feedback form (GetFeedbackInfo reads it)."""
    session = site.session(key, key)
    if session is None or session.kind != "support":
        raise ControlError(404, f"no support session {key!r} on site {site.name!r}")
    if not isinstance(data, dict) or not all(k in DEFAULT_FIELDS and isinstance(v, str) for k, v in data.items()):
        raise ControlError(400, f"expected an object of strings with keys among {', '.join(DEFAULT_FIELDS)}")
    form = site.feedback.add(session.conf_id, data)
    return {"confID": session.conf_id, "attendeeID": form.attendee_id, **dict(form.answers)}


def _set_programs(site: Site, data: Any) -> dict[str, Any]:
    """The site's Event Center programs become the ones ``data`` lists (each with one recorded event)."""
    programs = data.get("programs") if isinstance(data, dict) else None
    if not isinstance(programs, list) or not all(isinstance(p, dict) for p in programs):
        raise ControlError(400, 'expected {"programs": [{"programName", "hostWebExID", ...}]}')
    parsed: list[tuple[str, str, int, str, str]] = []
    for p in programs:
        name, host = p.get("programName"), p.get("hostWebExID")
        expected, budget, status = p.get("expectedEnrollment", 0), p.get("budget", ""), p.get("status", "PUBLIC")
        if not (isinstance(name, str) and name.strip() and isinstance(host, str) and host.strip()):
            raise ControlError(400, "a program needs a non-empty programName and hostWebExID")
        if not isinstance(expected, int) or isinstance(expected, bool) or expected < 0 or not isinstance(budget, str):
            raise ControlError(400, f"program {name!r}: expectedEnrollment is a count, budget a string")
        if status not in ("PUBLIC", "UNLISTED"):
            raise ControlError(400, f"program {name!r}: status must be PUBLIC or UNLISTED")
        parsed.append((name.strip(), host.strip(), expected, budget, status))
    site.programs.replace(parsed)
    return {"programs": [program.public() for program in site.programs.programs()]}


def _answer_test(site: Site, test_id: str, data: Any) -> dict[str, Any]:
    """A participant's answers to a library test (GetIMStestResult reports them)."""
    try:
        return record_answers(site, test_id, data)
    except KeyError:
        raise ControlError(404, f"no library test {test_id!r} on site {site.name!r}") from None
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None


def _route(registry: Registry, method: str, parts: list[str], data: Any, *, secrets: bool = False) -> Any:
    if parts == ["health"] and method == "GET":
        return {"status": "ok", "version": __version__, "sites": len(registry.sites), "requests": registry.requests}
    if parts == ["faults"] and method == "GET":
        return {"faults": [{"id": k, "breaks": v} for k, v in all_faults().items()]}
    if parts == ["reset"] and method == "POST":
        registry.reset()
        return {"status": "reset", "default_site": registry.default.name}
    if parts == ["sites"] and method == "POST":
        data = data or {}
        if not isinstance(data, dict):
            raise ControlError(400, "expected a JSON object")
        settings = _settings_from(data.get("settings"), SiteSettings())
        users = _users_from(data.get("users"))
        if data.get("name") is not None and not isinstance(data["name"], str):
            raise ControlError(400, "name must be a string")
        if data.get("faults"):  # check before creating: a refused request must leave no site behind
            if not isinstance(data["faults"], list):
                raise ControlError(400, "faults must be a list of behaviour IDs")
            unknown = unknown_faults([str(x) for x in data["faults"]])
            if unknown:
                raise ControlError(400, f"unknown fault(s): {', '.join(unknown)}")
        try:
            busy = parse_options(data.get("busy"))
        except BusyOptionError as exc:
            raise ControlError(400, str(exc)) from None
        try:
            site = registry.create_site(data.get("name"), settings)
        except KeyError as exc:
            raise ControlError(409, str(exc.args[0])) from None
        for user in users:
            site.add_user(user)
        if busy is not None:
            make_busy(site, busy)
        if data.get("faults"):
            _set_faults(site, {"enable": data["faults"]})
        return {
            "name": site.name,
            "siteID": site.site_id,
            "users": [u.public() for u in site.users.values()],
            "rest_token": site.rest_token,
            "settings": site.settings.to_dict(),
            "faults": sorted(site.faults),
            "busy": site.busy.describe() if site.busy is not None else None,
        }
    if len(parts) >= 3 and parts[0] == "sites":
        site = _site(registry, parts[1])
        action = parts[2]
        if action == "state" and method == "GET":
            return site.state(secrets=secrets)
        if action == "clock" and method == "POST":
            seconds = data.get("advance_seconds") if isinstance(data, dict) else None
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
                raise ControlError(400, 'expected {"advance_seconds": number}')
            problem = clock_problem(site.clock_offset, float(seconds))
            if problem is not None:
                raise ControlError(400, f"advance_seconds: {problem}")
            return {"now": site.advance(float(seconds)).isoformat()}
        if action == "settings" and method == "POST":
            site.settings = _settings_from(data or {}, site.settings)
            return site.settings.to_dict()
        if action == "faults" and method == "POST":
            return _set_faults(site, data)
        if action == "sessions" and len(parts) == 5 and parts[4] == "feedback" and method == "POST":
            return _feedback(site, parts[3], data)
        if action == "sessions" and len(parts) == 4 and method == "POST":
            session = site.session(parts[3], parts[3])
            if session is None:
                raise ControlError(404, f"no session {parts[3]!r} on site {site.name!r}")
            live = _live_state(data or {})
            session.status = str(live.get("status", session.status))
            session.host_in_meeting = bool(live.get("host_in_meeting", session.host_in_meeting))
            session.attendees_in_meeting = int(live.get("attendees_in_meeting", session.attendees_in_meeting))
            number = live.get("callback")
            if number is not None:
                site.record_callback(session, number)
            return session.summary()
        if action == "recordings" and len(parts) == 5 and parts[4] == "access" and method == "POST":
            return _record_access(site, parts[3], data)
        if action == "labs" and len(parts) == 3 and method == "POST":
            return _set_labs(site, data)
        if action == "programs" and len(parts) == 3 and method == "POST":
            return _set_programs(site, data)
        if action == "tests" and len(parts) == 5 and parts[4] == "answers" and method == "POST":
            return _answer_test(site, parts[3], data)
    raise ControlError(404, f"no control endpoint {method} /_emulator/{'/'.join(parts)}")
