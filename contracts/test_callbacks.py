"""DetectSessionByCallback (detect-session-by-callback): which sessions called a number back inside a
window of at most five minutes, for a site administrator — the XML API 10.0.0 SP7 release notes and
the reference page detectsessionbycallback.

Only the service itself dials out, so a callback is made with the emulator's control API; on a real
site the rules that need no callback (who may ask, the window, the number) are checked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings

_NUMBER = "14085550100"


def _now(site: SiteHandle) -> datetime:
    if site.is_emulator:
        return datetime.fromisoformat(site.state()["now"]).astimezone(UTC).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None)


def _body(number: str, start: datetime, end: datetime) -> dict[str, object]:
    return {
        "callbackNumber": number,
        "dataScopeGMT": {
            "occurredDateStart": f"{start:%m/%d/%Y %H:%M:%S}",
            "occurredDateEnd": f"{end:%m/%d/%Y %H:%M:%S}",
        },
    }


@pytest.mark.behaviour("detect-session-by-callback")
def test_a_callback_is_detected_inside_its_window_only(site: SiteHandle, meetings: Meetings) -> None:
    if not site.is_emulator:
        pytest.skip("emulator only: a callback is made by the service's telephony, here by the control API")
    key, _ = meetings.create_ok()
    site.control.set_session(site.name, key, callback=_NUMBER)
    admin = site.client("admin")
    now = _now(site)
    got = admin.call("ep", "DetectSessionByCallback", _body(_NUMBER, now - timedelta(minutes=4), now)).expect_success()
    assert got.texts("ep:session/ep:meetingKey") == [key]
    earlier = admin.call(
        "ep",
        "DetectSessionByCallback",
        _body(_NUMBER, now - timedelta(hours=2), now - timedelta(hours=2) + timedelta(minutes=5)),
    ).expect_success()
    assert key not in earlier.texts("ep:session/ep:meetingKey"), "the callback happened after that window"
    other = admin.call("ep", "DetectSessionByCallback", _body("14085550199", now - timedelta(minutes=4), now))
    assert key not in other.texts("ep:session/ep:meetingKey"), "another number called nobody back"


@pytest.mark.behaviour("detect-session-by-callback")
def test_only_a_site_administrator_may_detect_sessions(site: SiteHandle) -> None:
    now = _now(site)
    got = site.client("host").call("ep", "DetectSessionByCallback", _body(_NUMBER, now - timedelta(minutes=4), now))
    assert got.exception_id == "000001", got.describe()


@pytest.mark.behaviour("detect-session-by-callback")
def test_a_window_over_five_minutes_or_a_number_with_signs_is_refused(site: SiteHandle) -> None:
    admin = site.client("admin")
    now = _now(site)
    wide = admin.call("ep", "DetectSessionByCallback", _body(_NUMBER, now - timedelta(minutes=10), now))
    assert wide.result == "FAILURE", wide.describe()
    signs = admin.call("ep", "DetectSessionByCallback", _body("+1-408-555-0100", now - timedelta(minutes=4), now))
    assert signs.result == "FAILURE", signs.describe()
