"""The XML API release a run certifies against, and the contract tests that release skips.

Where the release comes from (:class:`SiteRelease.how`):

* ``declared``: the environment says it — ``settings.api_version`` of a real site's file, or on the
  emulator the release its default site plays (the same setting, default the latest);
* ``read with GetAPIVersion``: a real site whose file does not say; the harness asks the site once
  (``ep:apiVer`` of GetAPIVersion), a request counted against the run's budget like every other.

A contract test is skipped, with the reason, when its API came after the release, one of its
behaviours came after it (or went before it), or it proves meetingUUID for an API that gained it later
(:func:`generators.api_releases.skip_reason`). The run folder gets ``release-<worker>.json`` for the
summary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from webex_harness.client.xml_client import XmlClient
from webex_harness.environment.model import Environment
from webex_harness.generators.api_releases import skip_reason
from webex_harness.webex.releases import Release, ReleaseError
from webex_harness.webex.settings import api_version_problem

__all__ = [
    "DECLARED",
    "READ",
    "ReleaseReadError",
    "SiteRelease",
    "known_release",
    "read_records",
    "read_release",
    "version_skip",
    "write_record",
]

DECLARED = "declared"
READ = "read with GetAPIVersion"


@dataclass(frozen=True, slots=True)
class SiteRelease:
    """The release a run certifies against and how the harness learnt it."""

    release: Release
    how: str

    def to_dict(self) -> dict[str, str]:
        return {"release": str(self.release), "how": self.how}


def known_release(env: Environment) -> SiteRelease | None:
    """The release without asking the site: the emulator's setting, or a real site's declaration;
    None when the site must be asked."""
    if env.is_emulator or env.api_version_declared:
        return SiteRelease(Release.parse(env.settings.api_version), DECLARED)
    return None


class ReleaseReadError(RuntimeError):
    """GetAPIVersion did not answer a release the harness knows (the message says what it answered)."""


def read_release(client: XmlClient) -> SiteRelease:
    """One GetAPIVersion call: the site's ``apiVer``."""
    response = client.call("ep", "GetAPIVersion", {})
    if not response.ok:
        raise ReleaseReadError(f"GetAPIVersion failed: {response.describe()}")
    text = (response.text("ep:apiVer") or "").strip()
    problem = api_version_problem(text)
    if problem:
        raise ReleaseReadError(f"GetAPIVersion answered apiVer {text!r}: {problem}")
    try:
        return SiteRelease(Release.parse(text), READ)
    except ReleaseError as err:  # pragma: no cover - api_version_problem refused it already
        raise ReleaseReadError(str(err)) from None


def version_skip(site: SiteRelease, behaviours: list[str], api: str | None) -> str | None:
    """The skip reason of a contract test on a site of ``site``'s release, or None."""
    return skip_reason(site.release, behaviours, api)


def write_record(run_dir: str | None, worker: str, site: SiteRelease) -> None:
    """``release-<worker>.json`` in the run folder (nothing without one)."""
    if not run_dir:
        return
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"release-{worker}.json").write_text(json.dumps(site.to_dict(), indent=1) + "\n")


def read_records(run_dir: Path) -> SiteRelease | None:
    """The release the run's processes wrote (the first one; they agree), or None."""
    for path in sorted(run_dir.glob("release-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return SiteRelease(Release.parse(str(data["release"])), str(data["how"]))
        except (OSError, ValueError, KeyError, ReleaseError):
            continue
    return None
