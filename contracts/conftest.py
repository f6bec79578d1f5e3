"""Fixtures shared by the contract suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.rest_support import RestMeetings, rest_client
from webex_harness.contracts.support import Meetings, set_run_prefix
from webex_harness.plugin.targets import SiteHandle, Target


@pytest.fixture(scope="session", autouse=True)
def _own_names(target: Target) -> None:
    """Default names of what the tests create carry ``<cleanup_prefix>-<run-id>`` (contracts.support)."""
    set_run_prefix(target.run_name())


@pytest.fixture
def meetings(xml: XmlClient) -> Iterator[Meetings]:
    tracker = Meetings(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()


@pytest.fixture
def rest(site: SiteHandle) -> Iterator[RestMeetings]:
    """A REST client for the site's token that deletes the meetings it created afterwards."""
    tracker = RestMeetings(rest_client(site))
    try:
        yield tracker
    finally:
        tracker.cleanup()
