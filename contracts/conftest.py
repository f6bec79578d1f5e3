"""Fixtures shared by the contract suites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.support import Meetings
from harness.client import XmlClient


@pytest.fixture
def meetings(xml: XmlClient) -> Iterator[Meetings]:
    tracker = Meetings(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()
