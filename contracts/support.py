"""Small helpers the contract suites share: dates, meeting creation, registration forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from harness.client import XmlClient
from harness.envelope import XmlResponse


def webex_date(dt: datetime) -> str:
    return dt.strftime("%m/%d/%Y %H:%M:%S")


def future_date(days: float = 7) -> str:
    """A start date safely in the future in any time zone (``MM/DD/YYYY HH:MM:SS``)."""
    return webex_date(datetime.now(UTC).replace(tzinfo=None) + timedelta(days=days))


def past_date(days: float = 2) -> str:
    return webex_date(datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days))


def meeting_body(name: str = "wxh contract meeting", **sections: Any) -> dict[str, Any]:
    """A CreateMeeting body with a future start; extra sections are merged in."""
    body: dict[str, Any] = {
        "metaData": {"confName": name, "meetingType": 3},
        "schedule": {"startDate": future_date(), "duration": 30, "timeZoneID": 4},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


def registration_form(*required: str) -> dict[str, Any]:
    fields = ("title", "company", "address1", "address2", "city", "state", "postalCode", "country", "phone", "fax")
    return {f: {"req": f in required} for f in fields}


class Meetings:
    """Creates meetings for a test and deletes them afterwards (also when the test fails)."""

    def __init__(self, client: XmlClient) -> None:
        self.client = client
        self.keys: list[str] = []

    def create(self, body: dict[str, Any] | None = None, client: XmlClient | None = None) -> XmlResponse:
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
        for key in self.keys:
            self.client.call("meeting", "DelMeeting", {"meetingKey": key})
        self.keys.clear()
