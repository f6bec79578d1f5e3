"""The allure side of a run: each test's Behaviors labels and documentation links, and the two files
of the results folder that are the run's, not a test's — ``environment.properties`` (what ran against
what) and ``categories.json`` (how allure sorts what did not pass).

:class:`AllureReport` is a plugin :mod:`plugin.hooks` registers when the run asks for the harness:

- at each test's setup (before any fixture — a test skipped there is labelled too): ``epic``,
  ``feature``, ``behaviour`` and ``tag`` labels and the documentation links (:mod:`plugin.allure_labels`),
  and, for a parametrised test, its pytest ID as a parameter — allure identifies a test by its name
  and parameter values, so two cases whose values print alike would otherwise be taken for retries of
  one test and the report would count fewer tests than pytest ran;
- xdist: a test whose worker crashed gets a result from the controller (:func:`write_crashed`) — the
  worker died before allure's listener there could write one, so allure would count one test fewer
  than pytest;
- after pytest's summary line, when that line counts some tests twice (a failed or skipped teardown
  is counted beside the test's own outcome), a line with the number of tests (:func:`counted_twice_line`):
  allure and the run's summary count each test once;
- at the end of the session, in the process that writes the report (the xdist controller, or the only
  process), when ``--alluredir`` is given: :func:`environment_properties` and :data:`categories`,
  masked with the run's secret set.

Stands on :mod:`plugin.allure_labels`, :mod:`plugin.state`, :mod:`plugin.plan` and :mod:`webex.errors`
(the exception table the categories are made from).
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from webex_harness import __version__
from webex_harness.plugin import state
from webex_harness.plugin.allure_labels import give_labels, give_links, labels_of
from webex_harness.plugin.markers import api_mark, behaviour_ids
from webex_harness.plugin.plan import BUDGET_SPENT, SAFETY_STOP, default_profile
from webex_harness.plugin.workers import is_worker
from webex_harness.webex.errors import EXCEPTIONS

__all__ = ["AllureReport", "categories", "environment_properties", "properties_text"]

#: the name of the parameter that carries a parametrised test's pytest ID
PYTEST_ID = "pytest ID"

#: the failures an environment or the site's usage rules cause, not the product nor the test
_ENVIRONMENT = (
    r"Webex gave no answer|not a Webex answer|connection error|timeout:|ConnectError|ControlError|crashed while running"
    r"|FAILURE 030002\b|FAILURE 030047\b|\bHTTP (?:401|403|429)\b|usage.limit|rate.limit"
)
#: the REST (and HTTP) statuses a failure is sorted by, with what they mean
_HTTP_STATUSES = {
    "400": "bad request (a field rule)",
    "404": "not found",
    "405": "method not allowed",
    "409": "conflict",
    "415": "unsupported media type",
}


def _anywhere(pattern: str) -> str:
    """A regex allure matches against a whole message (Java ``matches``: the pattern spans it all)."""
    return rf"(?s).*(?:{pattern}).*"


def categories() -> list[dict[str, Any]]:
    """``categories.json``: allure tries them top to bottom and files a test under the first that
    matches; a failure none matches is allure's own "Product defects" (failed) or "Test defects" (broken)."""
    bad = ["failed", "broken"]
    found: list[dict[str, Any]] = [
        {
            "name": "Safety stop: a request refused to keep the site safe (usage limit, REST pacing)",
            "matchedStatuses": ["skipped"],
            "messageRegex": _anywhere(SAFETY_STOP.strip()),
        },
        {
            "name": "Budget spent: skipped once the run's request budget ran out",
            "matchedStatuses": ["skipped"],
            "messageRegex": _anywhere(BUDGET_SPENT.strip()),
        },
        {
            "name": "Not allowed on this target (allow.destructive / allow.lockout)",
            "matchedStatuses": ["skipped"],
            "messageRegex": _anywhere(r"refused: (?:destructive|lockout) test"),
        },
        {
            "name": "Environment or usage: no answer, credentials refused, usage or rate limit, a crashed worker",
            "matchedStatuses": bad,
            "messageRegex": _anywhere(_ENVIRONMENT),
        },
    ]
    for code, reason in EXCEPTIONS.items():
        meaning = reason.replace("{}", "…").rstrip(".")
        found.append(
            {
                "name": f"Webex exception {code}: {meaning}",
                "matchedStatuses": bad,
                "messageRegex": _anywhere(rf"\bFAILURE {code}\b"),
            }
        )
    found.append(
        {
            "name": "Webex exception of another ID",
            "matchedStatuses": bad,
            "messageRegex": _anywhere(r"\bFAILURE (?:\d{6}|\(no exceptionID\))"),
        }
    )
    for status, meaning in _HTTP_STATUSES.items():
        found.append(
            {
                "name": f"HTTP {status}: {meaning}",
                "matchedStatuses": bad,
                "messageRegex": _anywhere(rf"\bHTTP {status}\b"),
            }
        )
    found += [
        {"name": "HTTP 5xx: the server failed", "matchedStatuses": bad, "messageRegex": _anywhere(r"\bHTTP 5\d\d\b")},
        {
            "name": "Product defect: a documented promise not kept (an assertion failed)",
            "matchedStatuses": ["failed"],
        },
        {
            "name": "Test defect: the test or the harness broke (an error, not an assertion)",
            "matchedStatuses": ["broken"],
        },
    ]
    return found


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def environment_properties(config: pytest.Config) -> dict[str, str]:
    """What ran against what: target, site, XML and REST hosts, harness, seed, profile, run ID,
    Python and pytest, the XML API release certified against (and the ``--behaviour`` selection and
    ``--fault`` switches when given)."""
    env = config.stash[state.ENVIRONMENT]
    emulator_url = config.getoption("--emulator-url")
    if env.needs_urls:
        hosts = {"xml_url.host": _host(emulator_url) if emulator_url else "127.0.0.1 (an emulator the run started)"}
        hosts["rest_url.host"] = hosts["xml_url.host"]
    else:
        hosts = {"xml_url.host": _host(env.xml_url), "rest_url.host": _host(env.rest_url)}
    plan = config.stash.get(state.PLAN, None)
    profile = plan.profile if plan is not None else (config.getoption("--profile") or default_profile(env))
    found = {
        "target": env.target,
        "site": env.site_name,
        **hosts,
        "environment": str(env.path) if env.path is not None else env.name,
        "harness.version": __version__,
        "seed": str(config.getoption("--seed")),
        "profile": str(profile),
        "run.id": config.stash.get(state.RUN_ID, ""),
        "python.version": platform.python_version(),
        "pytest.version": pytest.__version__,
    }
    behaviours = config.getoption("--behaviour") or []
    if behaviours:
        found["selection"] = ", ".join(behaviours)
    faults = config.getoption("--fault") or []
    if faults:
        found["faults"] = ", ".join(faults)
    release = config.stash.get(state.SITE_RELEASE, None)
    if release is not None:  # the XML API release the contracts certified against (plugin.site_release)
        found["api.release"] = f"{release.release} ({release.how})"
    return found


def _escape(text: str, key: bool = False) -> str:
    """A ``.properties`` key or value as Java reads one: ISO 8859-1, anything beyond ASCII (and any
    control character) as ``\\uXXXX`` UTF-16 units; in a key, ``=``, ``:``, space, ``#`` and ``!`` escaped."""
    data = text.encode("utf-16-be", "surrogatepass")
    out = []
    for i in range(0, len(data), 2):
        unit = int.from_bytes(data[i : i + 2], "big")
        ch = chr(unit)
        if ch == "\\":
            out.append("\\\\")
        elif key and ch in "=: #!":
            out.append("\\" + ch)
        elif unit < 32 or unit > 126:
            out.append(f"\\u{unit:04x}")
        else:
            out.append(ch)
    return "".join(out)


def properties_text(values: dict[str, str]) -> str:
    return "".join(f"{_escape(key, key=True)}={_escape(value)}\n" for key, value in values.items())


class AllureReport:
    """The allure side of a run (see the module's docstring)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, Any, Any]:
        # trylast: inside allure's own wrapper, which has opened the test's result by now
        labels = labels_of(behaviour_ids(item), api_mark(item)[1])
        give_labels("epic", labels.epics)
        give_labels("feature", labels.features)
        give_labels("behaviour", labels.ids)
        give_labels("tag", labels.ids)  # what allure.dynamic.tag does
        give_links(labels.links)
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            _parameter(PYTEST_ID, str(callspec.id))
        return (yield)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """xdist: a test whose worker died has no result of allure's (the worker never closed it); the
        controller writes one, so that allure counts it as pytest does."""
        config = self.config
        folder = getattr(config.option, "allure_report_dir", None)
        if not folder or is_worker(config) or report.when in ("setup", "call", "teardown") or not report.failed:
            return
        secrets = config.stash.get(state.SECRETS, None)
        message = str(report.longrepr)
        write_crashed(Path(folder), report.nodeid, secrets.mask(message) if secrets is not None else message)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The number of tests, when pytest's line counts some twice (the outcome of a test and a
        failed or skipped teardown after it): allure and the run's summary count tests."""
        line = counted_twice_line(terminalreporter.stats)
        if line:
            terminalreporter.write_line(f"webex-harness: {line}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        folder = getattr(config.option, "allure_report_dir", None)
        if not folder or is_worker(config) or config.option.collectonly or state.ENVIRONMENT not in config.stash:
            return
        write_files(Path(folder), config)


def _parameter(name: str, value: str) -> None:
    try:
        import allure
    except ImportError:
        return
    allure.dynamic.parameter(name, value)


def write_files(folder: Path, config: pytest.Config) -> None:
    """``environment.properties`` and ``categories.json`` into the allure results ``folder``, masked."""
    secrets = config.stash[state.SECRETS]
    folder.mkdir(parents=True, exist_ok=True)
    values = {key: secrets.mask(value) for key, value in environment_properties(config).items()}
    (folder / "environment.properties").write_text(properties_text(values), encoding="latin-1")
    (folder / "categories.json").write_text(json.dumps(categories(), indent=2) + "\n", encoding="utf-8")


def write_crashed(folder: Path, nodeid: str, message: str) -> Path:
    """An allure result for a test whose xdist worker crashed: broken, with pytest's message."""
    path_part, _, name = nodeid.rpartition("::") if "::" in nodeid else ("", "", nodeid)
    module = path_part.split("::", 1)[0].removesuffix(".py").replace("/", ".")
    now = int(time.time() * 1000)
    result = {
        "uuid": (uid := str(uuid.uuid4())),
        "historyId": hashlib.md5(nodeid.encode()).hexdigest(),
        "name": name,
        "fullName": f"{module}#{name.split('[', 1)[0]}",
        "status": "broken",
        "statusDetails": {"message": message},
        "stage": "finished",
        "start": now,
        "stop": now,
        "labels": [
            {"name": "suite", "value": module.rpartition(".")[2]},
            {"name": "framework", "value": "pytest"},
            {"name": "tag", "value": "worker crashed"},
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uid}-result.json"
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return path


#: pytest's outcome words in the terminal's stats, each report counted once
_COUNTED = ("passed", "failed", "skipped", "error", "xfailed", "xpassed")


def counted_twice_line(stats: dict[str, list[Any]]) -> str | None:
    """``818 tests ran; pytest's counts above include 5 of them twice …`` when its line counts more
    reports than tests; None otherwise."""
    reports = [r for key in _COUNTED for r in stats.get(key, []) if getattr(r, "when", None) is not None]
    tests = {r.nodeid for r in reports}
    twice = len(reports) - len(tests)
    if twice <= 0:
        return None
    return (
        f"{len(tests)} tests ran; pytest's counts above include {twice} of them twice (a failed or skipped "
        f"teardown after the test's outcome) — allure and the run's summary count each test once"
    )
