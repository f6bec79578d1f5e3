"""The markers of the contract suites, registered here once (``pytest_configure`` of
:mod:`plugin.pytest_plugin`), and what the plugin reads from them: a test's behaviour IDs, its API and
case kind, its guards (``destructive``, ``lockout``) and the skip reason of a guarded test.

Stands on :mod:`webex.behaviours` (the known IDs) and :mod:`environment.loader` (the ``allow:`` switches).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from webex_harness.environment.model import Environment

#: every marker of the suites (``--strict-markers`` refuses any other)
MARKERS = (
    "behaviour(id): the documented behaviour ID (webex/behaviours.yaml) this test proves",
    "api(name, case): the API (and valid/edge case kind) a catalogue test exercises",
    "needs_control: needs an emulator control (clock, settings, faults) a real site lacks",
    "destructive: creates or deletes users or other site-wide objects",
    "lockout: may lock a user out (rate-limit probing)",
    # pytest-xdist's own marker, named here too: a run without xdist (-p no:xdist) must know it
    "xdist_group(name): tests sharing one of the site's objects, run on one worker (--dist loadgroup)",
)
#: the markers a test is skipped for unless the environment's ``allow.<marker>`` is true
GUARDED = ("destructive", "lockout")


def register(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)


def behaviour_ids(item: pytest.Item) -> list[str]:
    """The IDs of every ``behaviour`` marker of ``item``."""
    ids: list[str] = []
    for mark in item.iter_markers("behaviour"):
        ids.extend(str(a) for a in mark.args)
    return ids


def api_mark(item: pytest.Item) -> tuple[str | None, str | None]:
    """The API and case kind of ``item``'s ``api`` marker; ``(None, None)`` without one."""
    mark = item.get_closest_marker("api")
    if mark is None or not mark.args:
        return None, None
    return str(mark.args[0]), (str(mark.args[1]) if len(mark.args) > 1 else mark.kwargs.get("case"))


def guards(item: pytest.Item) -> list[str]:
    """The guard markers (:data:`GUARDED`) ``item`` carries."""
    return [name for name in GUARDED if item.get_closest_marker(name) is not None]


def _is_contract_test(item: pytest.Item) -> bool:
    """Whether ``item`` lives in a ``contracts`` folder (the contract suites)."""
    return "contracts" in Path(str(item.path)).parts[:-1]


def unknown_behaviour_markers(items: Iterable[pytest.Item]) -> list[str]:
    """``"contracts/test_x.py::test_y: 'emial-lowercase' (did you mean 'email-lowercase'?)"`` for every
    behaviour marker of a contract test naming an ID ``webex/behaviours.yaml`` lacks."""
    from webex_harness.webex.behaviours import ids
    from webex_harness.webex.hints import did_you_mean

    known = ids()
    return [
        f"{item.nodeid}: {bid!r}{did_you_mean(bid, known)}"
        for item in items
        if _is_contract_test(item)
        for bid in behaviour_ids(item)
        if bid not in known
    ]


def refusal(env: Environment, switch: str) -> str:
    """The skip reason of a guarded test: what was refused and the switch that allows it."""
    where = "the emulator" if env.is_emulator else "a real site"
    source = env.path if env.path is not None else f"environment {env.name!r}"
    return f"refused: {switch} test against {where} ({env.site_name}); set allow.{switch}: true in {source}"
