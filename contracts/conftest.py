"""Fixtures shared by the contract suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.rest_support import RestMeetings, rest_client
from contracts.support import Meetings
from harness.client import XmlClient
from harness.pytest_plugin import SiteHandle


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
