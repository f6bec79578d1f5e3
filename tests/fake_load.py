"""A load run without locust and without a target, for tests of what the command line does with a
load's result (tables, CI gates, ``load-gates.xml``, ``--out DIR``).

:func:`fake_load_run` makes ``webex-harness load`` (and ``run``) in the test's process write a fixed
``load.json`` instead of starting locust, bring up no emulator, and make new run folders under
``<tmp_path>/reports``. It returns the list of :class:`LoadCall` it fills as ``run_load`` is called.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest


@dataclass(frozen=True)
class LoadCall:
    """One call of the fake ``run_load``: the run folder and the keyword arguments it was given."""

    run_dir: Path
    options: dict[str, Any]


def fake_load_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, load_json: Mapping[str, Any]) -> list[LoadCall]:
    """Replace locust's runner by one that writes ``load_json`` as the run's ``load.json``, the target
    by a URL nothing listens on (no request is sent), and the reports root by ``tmp_path/reports``."""
    import webex_harness.load.runner
    import webex_harness.runs.run_command
    import webex_harness.runs.runner
    from webex_harness.workspace.run_folder import Run

    calls: list[LoadCall] = []
    text = json.dumps(load_json)

    def run_load(environment: Any, run_dir: Path, **kwargs: Any) -> SimpleNamespace:
        calls.append(LoadCall(run_dir, kwargs))
        (run_dir / "load.json").write_text(text)
        return SimpleNamespace(data=json.loads(text))

    @contextlib.contextmanager
    def target_up(run: Any, emulator_url: str | None = None) -> Iterator[webex_harness.runs.runner.Target]:
        base = "http://127.0.0.1:9"
        yield webex_harness.runs.runner.Target(
            run.environment.with_urls(base + "/WBXService/XMLService", base + "/v1"), base
        )

    monkeypatch.setattr(webex_harness.load.runner, "run_load", run_load)
    monkeypatch.setattr(webex_harness.runs.runner, "target_up", target_up)
    monkeypatch.setattr(webex_harness.runs.run_command, "Run", functools.partial(Run, root=tmp_path / "reports"))
    return calls
