"""Small helpers the contract suites share: registration forms, paging on a shared site, a stretch of
the calendar of the run's own.

What a user's own tests need as well — the meeting trackers, default bodies, dates and the run's
names — lives in the plugin (:mod:`plugin.xml_meetings`, :mod:`plugin.rest_meetings`,
:mod:`plugin.run_names`).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from webex_harness.plugin.xml_meetings import webex_date
from webex_harness.webex.envelope import XmlResponse

#: The xdist group of every test that changes the host's own account state — its One-Click settings
#: (set back afterwards) or its login ticket: on a site, where the parallel workers share that host,
#: they run one after another on one worker (``webex-harness run`` distributes with ``--dist loadgroup``,
#: which the plugin schedules itself: :mod:`plugin.xdist_groups`). Another client of the site can still
#: write beside them, so they tolerate that too (the ticket test tries three pairs).
HOST_OWN_STATE = "host-own-state"
#: the elements of each LstTimeZone zone, in order (reference page lsttimezone)
TIME_ZONE_FIELDS = [
    "timeZoneID",
    "gmtOffset",
    "description",
    "shortName",
    "hideTimeZoneName",
    "fallInDST",
    "standardLabel",
    "daylightLabel",
]
#: what GetSessionInfo shows only to the host and invitees (001, 40.8.0)
SESSION_INFO_DETAILS = (
    "ep:metaData/ep:confName",
    "ep:schedule/ep:startDate",
    "ep:schedule/ep:duration",
    "ep:schedule/ep:timeZone",
    "ep:meetingLink",
    "ep:sipURL",
    "ep:displayMeetingUrl",
)


def registration_form(*required: str) -> dict[str, Any]:
    fields = ("title", "company", "address1", "address2", "city", "state", "postalCode", "country", "phone", "fax")
    return {f: {"req": f in required} for f in fields}


# ---------------------------------------------------------------- paging on a shared site

Lister = Callable[[int, int], XmlResponse]
#: how often a walk through a list is repeated when the list changed under it (foreign writers)
WALK_ATTEMPTS = 10
#: a walk never asks for more pages than this
MAX_PAGES = 200
#: a list up to this long is also read in one page and compared with its pages
WHOLE_LIMIT = 500


@dataclass
class Walk:
    """One walk through every page of a list: the records in page order and each page's total."""

    records: list[str] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    shrank: bool = False
    #: the same list in one page right after the walk, when it fits in one (``None`` otherwise)
    whole: list[str] | None = None

    def problem(self, own: Collection[str], unique: bool) -> str:
        """Why this walk is not a consistent view of the list ('' when it is)."""
        counts = Counter(self.records)
        if self.shrank or len(set(self.totals)) > 1:
            return f"the list changed during the walk (totals {self.totals})"
        if len(self.records) != self.totals[0]:
            return f"the pages held {len(self.records)} records, matchingRecords/total says {self.totals[0]}"
        wrong = {key: counts[key] for key in own if counts[key] != 1}
        if wrong:
            return f"own records not listed exactly once: {wrong}"
        if unique and len(counts) != len(self.records):
            return f"records listed twice: {sorted(k for k, n in counts.items() if n > 1)[:5]}"
        if self.whole is not None and self.whole != self.records:
            return "the pages do not add up to the list in one page"
        return ""


def _total(page: XmlResponse, prefix: str) -> int:
    return int(page.text(f"{prefix}:matchingRecords/serv:total") or -1)


def walk_pages(lister: Lister, prefix: str, item: str, key: str, size: int) -> Walk:
    """Page through a list ``size`` records at a time. Every page must be consistent in itself
    (``startFrom`` echoed, ``returned`` = its records = ``min(maximumNum, total - startFrom + 1)``),
    whatever foreign writers do between two pages."""
    walk = Walk()
    start = 1
    for _ in range(MAX_PAGES):
        page = lister(start, size)
        if start > 1 and (page.result, page.exception_id) == ("FAILURE", "000015"):
            walk.shrank = True  # records before this page were deleted meanwhile
            return walk
        page.expect_success()
        total = _total(page, prefix)
        records = page.texts(f"{item}/{key}")
        where = f"startFrom={start} maximumNum={size}"
        assert page.text(f"{prefix}:matchingRecords/serv:startFrom") == str(start), where
        assert page.text(f"{prefix}:matchingRecords/serv:returned") == str(len(records)), where
        assert len(records) == max(0, min(size, total - start + 1)), (
            f"{where}: {len(records)} records with total {total}"
        )
        walk.records += records
        walk.totals.append(total)
        start += len(records)
        if not records or start > total:
            if 0 < total <= WHOLE_LIMIT:
                whole = lister(1, total)
                if whole.ok and _total(whole, prefix) == total:
                    walk.whole = whole.texts(f"{item}/{key}")
                else:
                    walk.shrank = True
            return walk
    raise AssertionError(f"more than {MAX_PAGES} pages of {size}")


def assert_pages(
    lister: Lister,
    prefix: str,
    item: str,
    key: str,
    *,
    own: Collection[str] = (),
    at_least: int = 3,
    unique: bool = True,
) -> list[str]:
    """Page through a list and check ``matchingRecords`` against the data (behaviour list-paging),
    on a site others write to: the run's ``own`` records appear exactly once, the pages hold
    ``total`` records, every page is consistent. A walk the list changed under is repeated (up to
    :data:`WALK_ATTEMPTS`); a list that is never consistent fails. Returns the records of the walk."""
    first = lister(1, 1).expect_success()
    total = _total(first, prefix)
    if total < at_least:
        pytest.skip(f"needs at least {at_least} records, the target has {total}")
    problem = ""
    for _ in range(WALK_ATTEMPTS):
        walk = walk_pages(lister, prefix, item, key, size=max(1, -(-total // 4)))  # about four pages
        problem = walk.problem(own, unique)
        if not problem:
            break
        total = max(walk.totals[-1], 1)
    else:
        raise AssertionError(f"no consistent walk through the pages in {WALK_ATTEMPTS} attempts: {problem}")
    beyond = lister(len(walk.records) + 1, 5)
    if beyond.ok:  # the list grew since: then the page is consistent with the new total
        assert _total(beyond, prefix) > len(walk.records), beyond.describe()
    else:
        assert (beyond.result, beyond.exception_id) == ("FAILURE", "000015"), beyond.describe()
        assert "Sorry, no record found" in (beyond.reason or "")
    return walk.records


@dataclass(frozen=True)
class OwnWindow:
    """A stretch of the calendar of the run's own: a random minute 2 to 12 months ahead. Sessions a
    test schedules in it can be listed with :meth:`scope` apart from nearly every foreign one (and
    the assertions hold for any foreign session that does fall in it)."""

    start: datetime
    time_zone_id: int = 4

    @classmethod
    def random(cls) -> OwnWindow:
        base = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
        return cls(base + timedelta(days=60 + secrets.randbelow(300), minutes=secrets.randbelow(24 * 60)))

    def date(self, minutes: int = 0) -> str:
        """A start date ``minutes`` into the window (``MM/DD/YYYY HH:MM:SS``, in its time zone)."""
        return webex_date(self.start + timedelta(minutes=minutes))

    def scope(self) -> dict[str, Any]:
        """A ``dateScope`` holding the window's first day."""
        return {
            "dateScope": {
                "startDateStart": webex_date(self.start - timedelta(minutes=1)),
                "startDateEnd": webex_date(self.start + timedelta(days=1)),
                "timeZoneID": self.time_zone_id,
            }
        }
