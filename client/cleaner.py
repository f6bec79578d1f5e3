"""Clean-up: delete what a run left on a target, prove each deletion, and find a run's objects by name.

:class:`Cleaner` deletes outstanding objects (from the journal, :mod:`client.journal`) with the Del
API of their kind (:mod:`client.kinds`: DelMeeting, DelEvent, DelTrainingSession, ep DelSession,
DelMeetingAttendee, DelUser, DelScheduledTest; ``DELETE /v1/meetings/{id}``), newest first, and
verifies each with the Get or listing of its kind — never with GetSessionInfo or GetUserCard, whose
"no data found" answers count towards the site's usage limit (:mod:`client.usage_guard`). A contact
cannot be deleted and DelUser deactivates: both are reported as such. Each outcome is journalled
(``deleted`` with ``by: "cleanup"``, or ``left`` with the reason).

:meth:`Cleaner.find_by_prefix` finds what a run named ``<prefix>-<run-id>-…`` (:mod:`client.naming`)
but never journalled — a create in flight when the run died — in the XML listing of sessions and the
REST listing of meetings, read to the end (a listing cut short is a problem, never "nothing found").

Used at the end of a run (the pytest plugin, the runner) and by ``webex-harness cleanup``. Stands on
the journal, the kinds, the XML client and :mod:`webex.envelope`; its ``http`` must not carry the
ledger's hooks.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from webex_harness.client.journal import Ledger, LedgerState, Obj
from webex_harness.client.kinds import CHILD_KINDS, LISTED_ID, REST_MEETING, SESSION_KINDS, Kind, kind
from webex_harness.client.xml_client import BudgetExceeded, RequestBudget, XmlClient
from webex_harness.webex.envelope import Security, all_texts, first_text, local_name
from webex_harness.webex.errors import NO_DATA_EXCEPTIONS
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.run_folder import RUN_ID_PATTERN


@dataclass
class CleanupResult:
    """What one clean-up did: objects removed, found already gone, left (with the reason), and intents
    whose outcome is unknown."""

    removed: list[dict[str, Any]] = field(default_factory=list)
    already_gone: list[dict[str, Any]] = field(default_factory=list)
    left: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: CleanupResult) -> None:
        self.removed += other.removed
        self.already_gone += other.already_gone
        self.left += other.left
        self.unresolved += other.unresolved

    @property
    def ok(self) -> bool:
        """Nothing deletable was left behind."""
        return not [x for x in self.left if not x.get("undeletable")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "removed": self.removed,
            "already_gone": self.already_gone,
            "left": self.left,
            "unresolved": self.unresolved,
        }

    def lines(self) -> list[str]:
        out = [f"removed {x['what']} ({x['how']})" for x in self.removed]
        out += [f"already gone: {x['what']}" for x in self.already_gone]
        out += [f"LEFT {x['what']}: {x['reason']}" for x in self.left]
        out += [
            f"unknown outcome: {x['api']} {x.get('name')!r} on site {x.get('site')} (no answer arrived: the run "
            "stopped or the connection failed while it was in flight; not found by name either)"
            for x in self.unresolved
        ]
        return out


CredentialsFor = Callable[[str, str | None], list[Security]]
TokenFor = Callable[[str], str | None]


class Cleaner:
    """Delete outstanding objects with their Del API and prove each gone with a Get.

    ``credentials(site, owner)`` lists who may delete on that site (the creator first);
    ``token(site)`` is the REST bearer token of a site. ``http`` must not carry the ledger's hooks.
    """

    def __init__(
        self,
        ledger: Ledger | None,
        *,
        http: httpx.Client,
        xml_url: str | None,
        rest_url: str | None,
        credentials: CredentialsFor,
        token: TokenFor,
        budget: RequestBudget | None = None,
        secrets: SecretSet | None = None,
    ) -> None:
        self.ledger = ledger
        self.http = http
        self.xml_url = xml_url
        self.rest_url = rest_url.rstrip("/") if rest_url else None
        self.credentials = credentials
        self.token = token
        self.budget = budget
        self.secrets = secrets if secrets is not None else SecretSet()
        self._gone_sessions: set[tuple[str, str]] = set()

    def clean(self, objects: list[Obj], known: LedgerState | None = None) -> CleanupResult:
        result = CleanupResult()
        for obj in objects:
            try:
                self._one(obj, result, known)
            except BudgetExceeded as exc:
                self._left(obj, result, f"not attempted: {exc}")
        return result

    # -- one object ------------------------------------------------------------------------
    def _record(self, obj: Obj, result: CleanupResult, how: str, removed: bool) -> None:
        entry = {"kind": obj.kind, "id": obj.id, "site": obj.site, "name": obj.name, "what": obj.describe(), "how": how}
        (result.removed if removed else result.already_gone).append(entry)
        if obj.kind in SESSION_KINDS:
            self._gone_sessions.add((obj.site.lower(), obj.id))
            if obj.uuid:
                self._gone_sessions.add((obj.site.lower(), obj.uuid.lower()))
        obj.status = "deleted"
        if self.ledger is not None:
            self.ledger.deleted(obj, by="cleanup", verified=True, how=how, removed=removed)

    def _left(self, obj: Obj, result: CleanupResult, reason: str, undeletable: bool = False) -> None:
        result.left.append(
            {
                "kind": obj.kind,
                "id": obj.id,
                "site": obj.site,
                "name": obj.name,
                "what": obj.describe(),
                "reason": reason,
                "undeletable": undeletable,
            }
        )
        obj.status, obj.reason = "left", reason
        if self.ledger is not None:
            self.ledger.left(obj, reason)

    def _parent_gone(self, obj: Obj, known: LedgerState | None) -> bool:
        if not obj.parent:
            return False
        if (obj.site.lower(), obj.parent.lower()) in self._gone_sessions:
            return True
        if known is not None:
            parent = known.find(SESSION_KINDS, obj.site, obj.parent)
            return parent is not None and parent.status == "deleted"
        return False

    def _one(self, obj: Obj, result: CleanupResult, known: LedgerState | None) -> None:
        k = kind(obj.kind)
        if k.delete is None:
            self._left(obj, result, k.note or "no delete API", undeletable=True)
            return
        if obj.kind in CHILD_KINDS and self._parent_gone(obj, known):
            self._record(obj, result, "its session was deleted", removed=False)
            return
        if obj.kind == REST_MEETING:
            self._rest(obj, result)
            return
        if not self.xml_url:
            self._left(obj, result, "no XML API URL")
            return
        candidates = self.credentials(obj.site, obj.owner)
        if not candidates:
            self._left(obj, result, f"no credentials for site {obj.site}")
            return
        last = ""
        for security in candidates:
            client = XmlClient(self.xml_url, security, http=self.http, budget=self.budget, secrets=self.secrets)
            service, api, element = k.delete
            answer = client.call(service, api, self._body(obj, element))
            if answer.ok or answer.exception_id in NO_DATA_EXCEPTIONS:
                gone, proof = self._verify(client, obj, k)
                if gone:
                    how = f"{api}; {proof}"
                    self._record(obj, result, how, removed=answer.ok)
                    return
                last = f"{api} answered {answer.describe()} but {proof}"
            else:
                last = f"{api} as {security.webex_id}: {answer.describe()}"
        self._left(obj, result, last)

    @staticmethod
    def _body(obj: Obj, element: str) -> dict[str, Any]:
        if element == "parent":
            return {obj.parent_field or "sessionKey": obj.parent}
        body: dict[str, Any] = {}
        if obj.kind == "scheduled-test":
            body[obj.parent_field or "sessionKey"] = obj.parent
        body[element] = obj.id
        return body

    def _verify(self, client: XmlClient, obj: Obj, k: Kind) -> tuple[bool, str]:
        assert k.verify is not None
        service, api, element = k.verify
        answer = client.call(service, api, self._body(obj, element))
        if answer.exception_id in NO_DATA_EXCEPTIONS:
            return True, f"{api} → {answer.exception_id}"
        if answer.ok and obj.kind == "user":
            active = first_text(answer.body, "active") if answer.body is not None else None
            if (active or "").upper() == "DEACTIVATED":
                return True, f"{api} → DEACTIVATED"
        if answer.ok and api.startswith("Lst"):
            listed = all_texts(answer.body, (LISTED_ID.get(obj.kind, "sessionkey"),)) if answer.body is not None else []
            if obj.id not in listed:
                return True, f"{api} no longer lists it"
        return False, f"{api} still finds it ({answer.describe()})"

    def _rest(self, obj: Obj, result: CleanupResult) -> None:
        token = self.token(obj.site)
        if not self.rest_url or not token:
            self._left(obj, result, f"no REST token for site {obj.site}")
            return
        url = f"{self.rest_url}/meetings/{quote(obj.id, safe='')}"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        deleted = self._rest_send("DELETE", url, headers)
        if deleted not in (200, 204, 404):
            self._left(obj, result, f"DELETE /v1/meetings/{{id}} answered HTTP {deleted}")
            return
        check = self._rest_send("GET", url, headers)
        if check in (404, 410):
            self._record(obj, result, f"DELETE /v1/meetings/{{id}}; GET → {check}", removed=deleted != 404)
        else:
            self._left(obj, result, f"GET /v1/meetings/{{id}} still answers HTTP {check}")

    def _rest_send(self, method: str, url: str, headers: dict[str, str]) -> int:
        if self.budget is not None:
            self.budget.spend()
        try:
            return self.http.request(method, url, headers=headers).status_code
        except httpx.HTTPError:
            return 0

    # -- objects found by name -------------------------------------------------------------
    def find_by_prefix(
        self,
        site: str,
        security: Security | list[Security] | None,
        token: str | None,
        pattern: re.Pattern[str],
        *,
        since: datetime | None = None,
        now: datetime | None = None,
    ) -> FoundByName:
        """Sessions of every kind and REST meetings whose name matches ``pattern``, listed to the end.

        XML: ep LstsummarySession (meetings, events, training, teleconference and support sessions)
        as each of ``security`` (the host, a site administrator), every page. REST: ``GET
        /v1/meetings`` over :func:`rest_listing_window` from ``since`` (the run's start), stepped
        :data:`REST_WINDOW_STEP` at a time, every page (``Link: rel="next"``); a REST meeting whose
        ``meetingNumber`` is the key of a session found by XML is that meeting (docs/xml-rest.md), found
        once. A listing that is refused, cut short or out of budget is a problem in the answer, never "nothing found".
        """
        found = FoundByName()
        seen: set[tuple[str, str]] = set()
        accounts = security if isinstance(security, list) else [security] if security is not None else []
        if self.xml_url:
            for account in accounts:
                client = XmlClient(self.xml_url, account, http=self.http, budget=self.budget, secrets=self.secrets)
                try:
                    self._xml_by_prefix(client, site, pattern, found, seen)
                except (ListingError, BudgetExceeded) as exc:
                    found.problems.append(f"ep LstsummarySession as {account.webex_id} on site {site}: {exc}")
        if token and self.rest_url:
            lo, hi = rest_listing_window(since, now)
            try:
                self._rest_by_prefix(site, token, pattern, lo, hi, found, seen)
            except (ListingError, BudgetExceeded) as exc:
                found.problems.append(f"GET /v1/meetings on site {site}: {exc}")
        return found

    def _xml_by_prefix(
        self, client: XmlClient, site: str, pattern: re.Pattern[str], found: FoundByName, seen: set[tuple[str, str]]
    ) -> None:
        start = 1
        for _ in range(MAX_LIST_PAGES):
            answer = client.call(
                "ep", "LstsummarySession", {"listControl": {"startFrom": start, "maximumNum": LIST_PAGE_SIZE}}
            )
            if answer.exception_id in NO_DATA_EXCEPTIONS:
                return  # no (more) sessions: 000015 "no record found"
            if not answer.ok or answer.body is None:
                raise ListingError(f"refused at record {start}: {answer.describe()}")
            sessions = [el for el in answer.body.iter() if local_name(el.tag) == "session"]
            for s in sessions:
                name = first_text(s, "confname") or ""
                key = first_text(s, "sessionkey")
                if key and pattern.match(name) and ("session", key) not in seen:
                    seen.add(("session", key))
                    run = re.search(RUN_ID_PATTERN, name)
                    found.objects.append(
                        Obj(
                            "session",
                            site,
                            key,
                            run_id=run.group(0) if run else "",
                            name=name,
                            owner=first_text(s, "hostwebexid"),
                            api="(found by name)",
                        )
                    )
            try:
                returned = int(first_text(answer.body, "returned") or len(sessions))
                total = int(first_text(answer.body, "total") or 0)
            except ValueError:
                raise ListingError(f"unreadable matchingRecords at record {start}") from None
            if not sessions or returned < 1:
                if start <= total:
                    raise ListingError(f"no sessions returned at record {start} of {total}: listing cut short")
                return
            start += returned
            if start > total:
                return
        raise ListingError(f"more than {MAX_LIST_PAGES} pages of {LIST_PAGE_SIZE}: listing cut short")

    def _rest_by_prefix(
        self,
        site: str,
        token: str,
        pattern: re.Pattern[str],
        lo: datetime,
        hi: datetime,
        found: FoundByName,
        seen: set[tuple[str, str]],
    ) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        assert self.rest_url is not None
        origin = urlsplit(self.rest_url).netloc
        begin = lo
        while begin < hi:
            end = min(begin + REST_WINDOW_STEP, hi)
            url: str | None = (
                f"{self.rest_url}/meetings?from={quote(_rest_time(begin), safe='')}"
                f"&to={quote(_rest_time(end), safe='')}&max={REST_PAGE_SIZE}"
            )
            for _ in range(MAX_LIST_PAGES):
                if url is None:
                    break
                response = self._rest_list(url, headers)
                data = _json_or_none(response)
                if response.status_code != 200 or not isinstance(data, dict) or not isinstance(data.get("items"), list):
                    raise ListingError(f"{_rest_time(begin)}..{_rest_time(end)} answered HTTP {response.status_code}")
                for item in data["items"]:
                    title = str(item.get("title", "")) if isinstance(item, dict) else ""
                    ident = str(item.get("id", "")) if isinstance(item, dict) else ""
                    number = str(item.get("meetingNumber", "")) if isinstance(item, dict) else ""
                    if number and ("session", number) in seen:
                        continue  # a meeting the XML listing found: one meeting, listed by both APIs
                    if ident and pattern.match(title) and (REST_MEETING, ident) not in seen:
                        seen.add((REST_MEETING, ident))
                        run = re.search(RUN_ID_PATTERN, title)
                        found.objects.append(
                            Obj(
                                REST_MEETING,
                                site,
                                ident,
                                run_id=run.group(0) if run else "",
                                name=title,
                                api="(found by name)",
                            )
                        )
                nxt = response.links.get("next", {}).get("url")
                if nxt and urlsplit(nxt).netloc != origin:
                    raise ListingError(f"the next page is on another host ({urlsplit(nxt).netloc}): not followed")
                url = nxt or None
            else:
                raise ListingError(f"more than {MAX_LIST_PAGES} pages in {_rest_time(begin)}..{_rest_time(end)}")
            begin = end

    def _rest_list(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """One listing GET, counted against the budget; a 429 waits its ``Retry-After`` (bounded) and
        is asked again a few times."""
        for attempt in range(REST_LIST_RETRIES + 1):
            if self.budget is not None:
                self.budget.spend()
            try:
                response = self.http.get(url, headers=headers)
            except httpx.HTTPError as exc:
                raise ListingError(f"{type(exc).__name__}: {exc}") from None
            if response.status_code != 429 or attempt == REST_LIST_RETRIES:
                return response
            retry = response.headers.get("Retry-After", "1")
            time.sleep(min(MAX_RETRY_AFTER, float(retry) if retry.isdigit() else 1.0))
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class FoundByName:
    """What :meth:`Cleaner.find_by_prefix` found, and the listings that could not be read to the end."""

    objects: list[Obj] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ListingError(RuntimeError):
    """A listing was refused or cut short: what it did not show is unknown, not absent."""


#: records per page of an XML listing (``listControl/maximumNum``) and of ``GET /v1/meetings`` (``max``)
LIST_PAGE_SIZE = 100
REST_PAGE_SIZE = 100
#: pages one listing may take before it counts as cut short
MAX_LIST_PAGES = 200
#: REST meetings are listed from this long before the run started (a start just before it) …
REST_LOOKBACK = timedelta(days=2)
#: … to this long after the later of the run's start and now: the farthest start a run schedules —
#: generated dates (1–30 days ahead), contract slots (≤ 30 days), the REST load (< 10 days,
#: :data:`load.rest_tasks.FARTHEST_START`), XML load meetings (3 days + 12 hours) — plus a margin
REST_HORIZON = timedelta(days=45)
#: one ``GET /v1/meetings`` asks for at most this range (Webex limits the range of one request;
#: its default is a week): the window is walked in steps
REST_WINDOW_STEP = timedelta(days=30)
#: listing requests answered 429 are asked again this many times, after at most this many seconds
REST_LIST_RETRIES = 3
MAX_RETRY_AFTER = 10.0


def rest_listing_window(since: datetime | None, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``[since − REST_LOOKBACK, max(since, now) + REST_HORIZON)``: every start a run begun at
    ``since`` (now when unknown) may have given a REST meeting."""
    now = now or datetime.now(UTC)
    since = since or now
    return since - REST_LOOKBACK, max(since, now) + REST_HORIZON


def _rest_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


__all__ = ["Cleaner", "CleanupResult", "FoundByName", "ListingError", "rest_listing_window"]
