"""The safety rails of a run against a real site that live in the HTTP client: the usage-limit
guard (:mod:`client.usage_guard`) and REST pacing (:mod:`client.rest_pacing`).

:func:`install_site_safety` puts both on an ``httpx.Client`` of a site run (the pytest plugin's
``target`` client, the clean-up's clients, the probe's), sharing their memory through the
workspace state folder (:func:`workspace.state.state_dir`: ``<reports root>/.safety`` or
``$WEBEX_HARNESS_STATE_DIR``). Emulator targets get neither: each test has a fresh site, and the
contracts provoke the 403 block and the 429 on purpose there.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from webex_harness.client.rest_pacing import RestPacer, pacer_for
from webex_harness.client.usage_guard import UsageGuard, guard_for
from webex_harness.workspace.state import reports_root_of, state_dir


@dataclass
class SiteSafety:
    """The guard and the pacer of one site run, and where they keep their state."""

    folder: Path
    guard: UsageGuard
    pacer: RestPacer

    def install(self, http: httpx.Client) -> httpx.Client:
        self.guard.install(http)
        self.pacer.install(http)
        _INSTALLED[http] = self
        return http


_INSTALLED: weakref.WeakKeyDictionary[httpx.Client, SiteSafety] = weakref.WeakKeyDictionary()


def install_site_safety(
    http: httpx.Client, env: Any, *, run_dir: str | Path | None = None, reports_root: Path | None = None
) -> SiteSafety | None:
    """Install the usage guard and REST pacing on ``http`` for a site run of ``env`` (nothing for
    an emulator target). The state folder: ``reports_root`` or the parent of ``run_dir``, else the
    default reports folder (``$WEBEX_HARNESS_STATE_DIR`` overrides all)."""
    if env.is_emulator:
        return None
    folder = state_dir(reports_root or reports_root_of(run_dir))
    safety = SiteSafety(folder, guard_for(env, folder), pacer_for(env, folder))
    safety.install(http)
    return safety


def site_safety_of(http: httpx.Client) -> SiteSafety | None:
    """The safety installed on ``http``, if any."""
    return _INSTALLED.get(http)


def same_safety(source: httpx.Client, http: httpx.Client) -> httpx.Client:
    """``http`` with the safety ``source`` has (the clean-up's plain client of a run), if any."""
    safety = site_safety_of(source)
    return safety.install(http) if safety is not None else http


__all__ = ["SiteSafety", "install_site_safety", "same_safety", "site_safety_of"]
