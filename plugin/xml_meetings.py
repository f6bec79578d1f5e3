"""Meetings a test creates through the XML API, deleted afterwards: :class:`Meetings` (what the
``meetings`` fixture gives) and the default CreateMeeting body with the dates it needs.

Stands on :mod:`client.xml_client`, :mod:`webex.envelope` and :mod:`plugin.run_names` (the run's
names).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from webex_harness.client.checker import CheckFailed
from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.run_names import own_name
from webex_harness.webex.envelope import XmlResponse

__all__ = ["Meetings", "future_date", "meeting_body", "past_date", "webex_date"]


def webex_date(dt: datetime) -> str:
    """``dt`` as the XML API writes dates: ``MM/DD/YYYY HH:MM:SS``."""
    return dt.strftime("%m/%d/%Y %H:%M:%S")


def future_date(days: float = 7) -> str:
    """A start date safely in the future in any time zone (``MM/DD/YYYY HH:MM:SS``)."""
    return webex_date(datetime.now(UTC).replace(tzinfo=None) + timedelta(days=days))


def past_date(days: float = 2) -> str:
    """A date ``days`` ago (``MM/DD/YYYY HH:MM:SS``, UTC)."""
    return webex_date(datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days))


def meeting_body(name: str | None = None, **sections: Any) -> dict[str, Any]:
    """A CreateMeeting body with a future start (named :func:`~plugin.run_names.own_name` by
    default); extra sections are merged in (``schedule={"duration": 60}`` keeps the start)."""
    body: dict[str, Any] = {
        "metaData": {"confName": name if name is not None else own_name("contract meeting"), "meetingType": 3},
        "schedule": {"startDate": future_date(), "duration": 30, "timeZoneID": 4},
    }
    return merge_sections(body, sections)


def merge_sections(body: dict[str, Any], sections: dict[str, Any]) -> dict[str, Any]:
    """``body`` with ``sections`` merged in: a mapping into the section of that name, anything else
    replacing it (the default bodies' way of taking a test's extra sections)."""
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


class Meetings:
    """Creates meetings for a test and deletes them afterwards (also when the test fails)."""

    def __init__(self, client: XmlClient) -> None:
        self.client = client
        self.keys: list[str] = []

    def create(self, body: dict[str, Any] | None = None, client: XmlClient | None = None) -> XmlResponse:
        """CreateMeeting with ``body`` (default :func:`meeting_body`) as ``client`` (default the
        tracker's); the meeting is remembered for :meth:`cleanup` when it was created."""
        response = (client or self.client).call("meeting", "CreateMeeting", body or meeting_body())
        key = response.text("meet:meetingkey")
        if response.ok and key:
            self.keys.append(key)
        return response

    def create_ok(self, body: dict[str, Any] | None = None) -> tuple[str, str]:
        """Create, require SUCCESS, return (meetingkey, meetingUUID)."""
        response = self.create(body).expect_success()
        return response.text("meet:meetingkey") or "", response.text("meet:meetingUUID") or ""

    def cleanup(self) -> None:
        """DelMeeting every meeting this tracker created (what the ``meetings`` fixture does after
        the test). A failed check of one answer does not stop the others: the first is raised at the end."""
        failed: CheckFailed | None = None
        for key in self.keys:
            try:
                self.client.call("meeting", "DelMeeting", {"meetingKey": key})
            except CheckFailed as exc:
                failed = failed or exc
        self.keys.clear()
        if failed is not None:
            raise failed
