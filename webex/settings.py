"""Per-site settings: what a Webex site has switched on.

One dataclass shared by the environment files (``settings:`` of ``environments/*.yaml``, where a
real site *declares* what it has) and the emulator (where each site *has* them, settable through
``POST /_emulator/sites``). Defaults are the documentation's where it states one; where it is
silent the default is marked "guess" and chosen as a Webex integrator would expect.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: The latest XML API release the project knows: the last section of 001's release notes (40.12.0).
LATEST_API_VERSION = "40.12.0"

#: The releases a site may declare or the emulator may play: 001 describes 40.1.0 to 40.12.0.
_API_VERSION = re.compile(r"40\.(\d{1,2})\.(\d{1,2})")


def api_version_problem(value: str) -> str | None:
    """Why ``value`` is not an XML API release of 40.1.0–40.12.x (``40.<minor>.<patch>``), or None."""
    match = _API_VERSION.fullmatch(value.strip())
    if match is None or not 1 <= int(match.group(1)) <= 12:
        return f"expected an XML API release from 40.1.0 to 40.12.x such as {LATEST_API_VERSION!r}, got {value!r}"
    return None


#: The longest ``response_delay_ms`` the emulator honours (a minute: longer would only hang clients).
MAX_RESPONSE_DELAY_MS = 60_000


@dataclass(slots=True)
class SiteSettings:
    #: "All meetings/events/sessions must have a password" — ON by default (001, 40.1.2).
    password_required: bool = True
    #: Feature toggle EnableDisplayName = 1 (001, 40.11.0). Off unless switched on.
    enable_display_name: bool = False
    #: Feature toggle ConsistentLockedLobby (001, 40.9.0). Guess: on.
    consistent_locked_lobby: bool = True
    #: Control-Hub-linked (CI unified) site: SetUser cannot change supportedServices (40.12.0).
    ci_linked_site: bool = False
    #: "Confirmation required" for users updating their e-mail address (001, 40.4.0).
    email_confirmation_required: bool = False
    #: Site admin "Automatically record all sessions using NBR" — overrides autoRecord (002).
    auto_record_all: bool = False
    #: Meeting type IDs that are private meeting types (001, 40.12.0: "169 is a sample").
    private_meeting_types: list[int] = field(default_factory=lambda: [169])
    #: Only E2EE meeting types available to users: enabling a PMR fails with 110063 (40.6.1).
    e2ee_only_meeting_types: bool = False
    #: The site enables the Education Instructor (EDU) session type (001, 40.8.0).
    edu_session_type: bool = False
    #: Site toggle SupportXMLAPIReturnScheduledPMR (001, 40.6.0): default off.
    return_scheduled_pmr: bool = False
    #: securityOptions/EnableMobileScreenCapture reported by GetSite (001, 40.10.0). Guess: off.
    mobile_screen_capture: bool = False
    #: bodyContent count limit: "must be less than {number}" (001, 40.4.4). Guess: 10.
    body_content_limit: int = 10
    #: "no data found" failures per user per hour before the 403 block (001, 40.4.5).
    #: The documentation gives no number. Guess: 100.
    usage_limit_per_hour: int = 100
    #: REST API requests per token within 60 s of the site clock before HTTP 429. Webex documents
    #: no number for the meetings API. Guess: 600 (10 a second). 0 = no limit (load runs against
    #: the emulator, which should measure the emulator, not its throttle).
    rest_rate_limit_per_minute: int = 600
    #: Check credentials on the default site too (otherwise it accepts any, like moto).
    strict_auth: bool = False
    #: Emulator only: milliseconds every XML and REST answer of the site is held back (an asyncio
    #: sleep; the loop serves others meanwhile). 0 = none. A knob that slows a site down, so that
    #: ``webex-harness compare`` can be shown to catch a slowdown (bench/compare_rates.py).
    response_delay_ms: int = 0
    #: The XML API release the site runs (GetAPIVersion's ``apiVer``; the emulator plays it). Default:
    #: the latest release 001 describes.
    api_version: str = LATEST_API_VERSION

    @property
    def response_delay_seconds(self) -> float:
        """``response_delay_ms`` in seconds, a negative value as 0 and at most :data:`MAX_RESPONSE_DELAY_MS`."""
        return min(max(self.response_delay_ms, 0), MAX_RESPONSE_DELAY_MS) / 1000.0

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def types(cls) -> dict[str, type]:
        """Field name -> the Python type a value must have (``list`` for list fields)."""
        mapping = {"bool": bool, "int": int, "str": str, "list[int]": list}
        return {f.name: mapping[str(f.type)] for f in fields(cls)}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> SiteSettings:
        """A copy with ``changes`` applied; unknown names raise ``KeyError`` naming them."""
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise KeyError(f"unknown site setting(s): {', '.join(unknown)}")
        data = self.to_dict()
        data.update(changes)
        return SiteSettings(**data)
