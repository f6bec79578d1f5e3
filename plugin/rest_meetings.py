"""Meetings a test creates through the REST API, deleted afterwards: :class:`RestMeetings` (what the
``rest`` fixture gives), :func:`rest_client` for a site, and the default Create body with the times
it needs.

Stands on :mod:`client.rest_client`, :mod:`plugin.targets` (the site a test talks to) and
:mod:`plugin.run_names` (the run's names).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from webex_harness.client.checker import CheckFailed
from webex_harness.client.rest_client import RestClient, RestResponse
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle

__all__ = ["RestMeetings", "iso", "meeting_body", "rest_client", "slot"]


def rest_client(site: SiteHandle) -> RestClient:
    """A REST client for the site's token (skips the test when the environment has none), on the
    run's HTTP client: its requests are counted, budgeted, masked and written to the ledger."""
    if not site.rest_token:
        pytest.skip(f"needs a REST token, which the environment {site.target.environment.name!r} lacks")
    return RestClient(site.rest_url, site.rest_token, **site.target.client_options())


def iso(dt: datetime) -> str:
    """``dt`` in ISO 8601 to the second, as the REST API writes times."""
    return dt.isoformat(timespec="seconds")


def slot(days: float = 2, hour: int = 9, tz: Any = UTC) -> datetime:
    """A whole-minute start ``days`` ahead at ``hour`` o'clock (UTC by default)."""
    base = datetime.now(UTC) + timedelta(days=days)
    return base.astimezone(tz).replace(hour=hour, minute=0, second=0, microsecond=0)


def meeting_body(
    title: str | None = None, *, start: datetime | None = None, minutes: int = 60, **extra: Any
) -> dict[str, Any]:
    """A Create body: a future whole-minute start, ``minutes`` long, titled
    :func:`~plugin.run_names.own_name` by default; extra fields merged in."""
    begin = start or slot()
    body: dict[str, Any] = {
        "title": title if title is not None else own_name("rest contract meeting"),
        "start": iso(begin),
        "end": iso(begin + timedelta(minutes=minutes)),
        "timezone": "UTC",
    }
    body.update(extra)
    return body


class RestMeetings:
    """Creates REST meetings for a test and deletes them afterwards (also when the test fails)."""

    def __init__(self, client: RestClient) -> None:
        self.client = client
        self.ids: list[str] = []

    def create(self, body: dict[str, Any] | None = None) -> RestResponse:
        """``POST /meetings`` with ``body`` (default :func:`meeting_body`); a created meeting is
        remembered for :meth:`cleanup`."""
        response = self.client.create(body if body is not None else meeting_body())
        if response.status == 200 and isinstance(response.json, dict) and response.json.get("id"):
            self.ids.append(str(response.json["id"]))
        return response

    def create_ok(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create, require HTTP 200, return the meeting's JSON."""
        response = self.create(body)
        assert response.status == 200, f"create failed: {response.describe()}"
        assert isinstance(response.json, dict)
        return response.json

    def scheduled(self, series_id: str, start: datetime, days: int = 10) -> list[dict[str, Any]]:
        """The series' scheduled meetings from ``start`` - 1 day over ``days`` days."""
        response = self.client.list_meetings(
            meetingSeriesId=series_id,
            meetingType="scheduledMeeting",
            max=100,
            from_=iso(start - timedelta(days=1)),
            to=iso(start + timedelta(days=days)),
        )
        assert response.status == 200, response.describe()
        return response.items

    def cleanup(self) -> None:
        """Delete every meeting this tracker created (what the ``rest`` fixture does after the test). A
        failed check of one answer does not stop the others: the first is raised at the end."""
        failed: CheckFailed | None = None
        for meeting_id in self.ids:
            try:
                self.client.delete(meeting_id)
            except CheckFailed as exc:
                failed = failed or exc
        self.ids.clear()
        if failed is not None:
            raise failed
