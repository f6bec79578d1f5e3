"""Behaviour ``usage-limit-403``: the GetSessionInfo / GetUserCard usage limit (001, 40.4.5, 40.8.0).

The documentation (001, 40.8.0 "Security Enhancements"): "We will block users from accessing these
two APIs in next two hours if their call reached the limit in one hour with no data found errors.
The error status response is: "403 Forbidden"" — and 40.4.5: "you could get the error message:
"403 forbidden" if you reach the usage limit".

How the emulator reads it:

* **Who.** Per user: the authenticated caller. Anonymous callers (siteName only) share one
  counter per site, :attr:`emulator.model.Site.anonymous_usage`.
* **What counts.** A FAILURE of GetSessionInfo or GetUserCard whose exceptionID says "no data
  found": :data:`webex.errors.NO_DATA_EXCEPTIONS` (000015 no record, 060001 meeting not found, 030001 user not
  found). Both APIs feed one counter.
* **The limit.** ``settings.usage_limit_per_hour`` failures within a sliding hour of the site
  clock. The documentation gives no number; the default 100 is a guess (webex/settings.py).
  A limit below 1 is read as 1.
* **When the block starts.** The request whose failure makes the count *reach* the limit still
  gets its normal FAILURE answer; from the next request on, GetSessionInfo and GetUserCard answer
  a bare ``HTTP 403`` with the body ``403 Forbidden`` (raised by :func:`emulator.dispatch.answer`).
  The failures are consumed by the block: after it lifts the count starts from zero.
* **Scope.** Only those two APIs; every other API keeps working for the blocked user.
* **Lift.** Two hours (site clock) after the block started.

Faults (each aspect has an ID of its own and names ``usage-limit-403`` as the behaviour it breaks,
so selfcheck runs the contract tests marked ``usage-limit-403`` for it): :data:`FAULT_NEVER_BLOCKS`
(the behaviour's own fault), :data:`FAULT_SCOPE`, :data:`FAULT_LIFT` and :data:`FAULT_WINDOW`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site, UsageCounter, User
from webex_harness.webex.errors import NO_DATA_EXCEPTIONS

#: The two limited APIs (lower-case, as routed).
LIMITED_APIS: frozenset[str] = frozenset({"getsessioninfo", "getusercard"})
#: The window the failures are counted in ("in one hour").
WINDOW = timedelta(hours=1)
#: How long a block lasts ("in next two hours").
BLOCK = timedelta(hours=2)
#: HTTP status and body of a blocked request.
BLOCKED_STATUS = 403
BLOCKED_BODY = "403 Forbidden"

FAULT_NEVER_BLOCKS = declare(
    "usage-limit-403", "never blocks GetSessionInfo/GetUserCard, however many no-data failures a user has in an hour"
)
FAULT_SCOPE = declare(
    "usage-limit-403-scope",
    "a blocked user gets 403 from every API, not just GetSessionInfo and GetUserCard",
    behaviour=FAULT_NEVER_BLOCKS,
)
FAULT_LIFT = declare(
    "usage-limit-403-lift", "a usage-limit block never lifts (still 403 after two hours)", behaviour=FAULT_NEVER_BLOCKS
)
FAULT_WINDOW = declare(
    "usage-limit-403-window",
    "counts no-data failures forever instead of within a sliding hour",
    behaviour=FAULT_NEVER_BLOCKS,
)


#: Whose failures count: the caller, or the counter the site's anonymous callers share.
Counter = User | UsageCounter


def _counter(site: Site, caller: User | None) -> Counter:
    return caller if caller is not None else site.anonymous_usage


def limit_of(site: Site) -> int:
    """The site's ``usage_limit_per_hour`` (at least 1)."""
    return max(1, int(site.settings.usage_limit_per_hour))


def is_limited(api: str) -> bool:
    return api.lower() in LIMITED_APIS


def _blocked(site: Site, counter: Counter, now: datetime) -> bool:
    until = counter.blocked_until
    if until is None:
        return False
    if now < until or site.fault(FAULT_LIFT):
        return True
    counter.blocked_until = None  # two hours are over: the block lifts
    return False


def blocks(site: Site, caller: User | None, api: str) -> bool:
    """True when this call must be answered ``403 Forbidden`` (checked before the handler runs)."""
    if not is_limited(api) and not site.fault(FAULT_SCOPE):
        return False
    return _blocked(site, _counter(site, caller), site.now())


def record(site: Site, caller: User | None, api: str, exception_id: str | None) -> None:
    """Count a FAILURE of a limited API; start the block when the count reaches the limit."""
    if not is_limited(api) or exception_id not in NO_DATA_EXCEPTIONS:
        return
    counter = _counter(site, caller)
    now = site.now()
    failures = counter.no_data_failures
    failures.append(now)
    if not site.fault(FAULT_WINDOW):
        start = now - WINDOW
        failures[:] = [t for t in failures if t > start]
    if len(failures) >= limit_of(site) and not site.fault(FAULT_NEVER_BLOCKS):
        counter.blocked_until = now + BLOCK
        failures.clear()
