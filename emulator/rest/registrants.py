"""``POST`` and ``GET /v1/meetings/{meetingId}/registrants`` (minimal): a registrant is
``{"firstName", "lastName", "email"}``, approved at once, one per e-mail address (409 for a second).
Stands on :mod:`emulator.rest.errors`, :mod:`emulator.rest.store` and :mod:`emulator.rest.times`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webex_harness.emulator import entropy
from webex_harness.emulator.rest.errors import RestError, bad
from webex_harness.emulator.rest.store import Series
from webex_harness.emulator.rest.times import utc_text


def register(series: Series, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Register for the meeting series ``series`` (the registrant as answered)."""
    email = body.get("email")
    first, last = body.get("firstName", ""), body.get("lastName", "")
    if not isinstance(email, str) or "@" not in email or any(c.isspace() for c in email.strip()):
        raise bad("email is required and must be an e-mail address.")
    if not isinstance(first, str) or not isinstance(last, str):
        raise bad("firstName and lastName must be strings.")
    if any(r["email"] == email.strip().lower() for r in series.registrants):
        raise RestError(409, "This e-mail address has already registered for the meeting.")
    registrant = {
        "id": entropy.uuid4_hex(),
        "status": "approved",
        "firstName": first,
        "lastName": last,
        "email": email.strip().lower(),
        "registrationTime": utc_text(now),
        "meetingId": series.id,
    }
    series.registrants.append(registrant)
    return registrant


__all__ = ["register"]
