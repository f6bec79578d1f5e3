"""The emulator's cost does not grow with what it has seen (issue 12): lookups that do not walk the
history or the sites, caps on tickets, auto-provisioned users, sites and history, and an lxml name
dictionary that is renewed. Mechanisms only — the speed and memory figures are bench/emulator_growth.py's."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from webex_harness.emulator import model, xmlio
from webex_harness.emulator.app import create_app
from webex_harness.emulator.busy_state import BusyOptions
from webex_harness.emulator.history_store import HistoryRecord, HistoryStore
from webex_harness.emulator.model import Session, Site, User
from webex_harness.emulator.registry import Registry
from webex_harness.emulator.rest import respond
from webex_harness.webex.envelope import Security, build_request
from webex_harness.webex.errors import WebexError
from webex_harness.webex.settings import SiteSettings


class _NoWalkHistory(HistoryStore):
    def __iter__(self) -> Iterator[HistoryRecord]:
        raise AssertionError("the history was walked")


class _NoWalkSites(dict[str, Site]):
    def values(self) -> Any:
        raise AssertionError("the sites were walked")

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the sites were walked")


def _session(site: Site, kind: str = "meeting") -> Session:
    key = site.new_session_key()
    return Session(key, f"uuid{key}", f"conf{key}", kind, "host", "s", datetime(2030, 1, 1, 10), 30)


def test_deleting_sessions_never_walks_the_history() -> None:
    site = Site("s")
    site.history = _NoWalkHistory()
    for _ in range(200):
        session = site.add_session(_session(site))
        site.remove_session(session.key)
    assert len(site.history) == 200
    again = _session(site)
    assert site.record_history(again) is not None
    assert site.record_history(again) is None  # once per (kind, key), as before


def test_the_same_key_of_another_kind_is_recorded_separately() -> None:
    site = Site("s")
    meeting = _session(site)
    event = Session(meeting.key, "u2", "c2", "event", "host", "e", datetime(2030, 1, 1, 10), 30)
    assert site.record_history(meeting) is not None
    assert site.record_history(event) is not None
    assert site.history.has("event", meeting.key) and site.history.has("meeting", meeting.key)


def test_history_keeps_the_newest_records_up_to_its_limit() -> None:
    store = HistoryStore(limit=3)
    records = [
        HistoryRecord("meeting", str(k), "u", "c", "n", "h", "", datetime(2030, 1, 1), datetime(2030, 1, 1))
        for k in range(5)
    ]
    for record in records:
        store.append(record)
    assert [r.key for r in store] == ["2", "3", "4"]
    assert not store.has("meeting", "0") and not store.has("meeting", "1") and store.has("meeting", "4")


def test_oldest_ticket_lapses_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_TICKETS", 3)
    site = Site("s")
    user = site.add_user(User("host", "pw"))
    tickets = [site.issue_ticket(user) for _ in range(5)]
    assert len(site.tickets) == 3
    for lapsed in tickets[:2]:
        with pytest.raises(WebexError) as err:
            site.user_for_ticket(lapsed)
        assert err.value.exception_id == "030047"
    assert all(site.user_for_ticket(t) is user for t in tickets[2:])


def test_idlest_auto_provisioned_user_is_dropped_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_AUTO_USERS", 2)
    site = Site("s", default=True)
    site.add_user(User("admin", "pw"))  # added, not provisioned: never dropped
    site.authenticate("a", "x")
    site.authenticate("b", "x")
    site.authenticate("a", "x")  # a is used again: b is now the idlest
    site.authenticate("c", "x")
    assert set(site.users) == {"admin", "a", "c"}
    assert list(site.auto_users) == ["a", "c"]


def test_strict_site_provisions_nobody() -> None:
    site = Site("s", SiteSettings(strict_auth=True), default=True)
    with pytest.raises(WebexError):
        site.authenticate("nobody", "x")
    assert not site.auto_users and not site.users


def test_routing_by_site_id_or_token_never_walks_the_sites() -> None:
    registry = Registry()
    sites = [registry.create_site(None, SiteSettings()) for _ in range(5)]
    registry.sites = _NoWalkSites(registry.sites)
    for site in sites:
        assert registry.route(None, site.site_id) is site
        assert registry.by_token(site.rest_token) is site
    assert registry.route(None, "no-such-id") is registry.default
    assert registry.by_token("emulator-token") is registry.default
    assert registry.by_token("no-such-token") is None


def test_idlest_created_site_is_dropped_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("webex_harness.emulator.registry.MAX_SITES", 2)
    registry = Registry()
    one = registry.create_site("one", SiteSettings())
    two = registry.create_site("two", SiteSettings())
    one.last_used, two.last_used = 2.0, 1.0
    registry.create_site("three", SiteSettings())
    assert set(registry.sites) == {registry.default.name.lower(), "one", "three"}
    assert registry.by_token(two.rest_token) is None
    assert registry.route(None, two.site_id) is not two


def test_reset_forgets_the_routing_indexes() -> None:
    registry = Registry()
    site = registry.create_site("gone", SiteSettings())
    registry.reset()
    assert registry.by_token(site.rest_token) is None
    assert registry.by_token("emulator-token") is registry.default


# ---------------------------------------------------------------- lxml's name dictionary

_ENVELOPE = (
    '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header><securityContext><webExID>host</webExID>'
    '</securityContext></header><body><bodyContent xsi:type="java:com.webex.service.binding.user.GetUser">'
    "<webExId>host</webExId>{extra}</bodyContent></body></serv:message>"
)


def _unique(i: int) -> bytes:
    return _ENVELOPE.format(extra=f"<n{i:06d}>x</n{i:06d}><m{i:06d}/>").encode()


def _in_thread(work: Callable[[], Any]) -> Any:
    """Run ``work`` in a fresh thread (a fresh lxml dictionary, whatever the test process parsed before)."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = work()
        except BaseException as exc:  # handed back to the test
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_new_element_names_renew_the_name_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlio, "RENEW_AFTER_NEW_NAMES", 40)
    monkeypatch.setattr(xmlio, "_LOCAL_NAMES", {})

    def work() -> tuple[int, list[int], str]:
        xmlio.parse_request(_unique(0))
        kept = [xmlio.name_dictionary_context()]  # kept alive: a freed context's id() can be reused
        contexts = {id(kept[0])}
        counts = []
        last = None
        for i in range(1, 200):
            last = xmlio.parse_request(_unique(i))
            kept.append(xmlio.name_dictionary_context())
            contexts.add(id(kept[-1]))
            counts.append(xmlio._parsers.new_names)
        assert last is not None
        return len(contexts), counts, last.bodies[0].node.children[1].name

    renewals, counts, name = _in_thread(work)
    assert renewals >= 5  # 2 new names a request, renewed every 40: about 10 dictionaries
    assert max(counts) < 40
    assert name == "n000199"  # parsing is unchanged after a renewal


def test_known_names_keep_the_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlio, "RENEW_AFTER_NEW_NAMES", 40)
    monkeypatch.setattr(xmlio, "_LOCAL_NAMES", {})
    same = _unique(7)

    def work() -> int:
        xmlio.parse_request(same)
        first = xmlio.name_dictionary_context()
        for _ in range(200):
            xmlio.parse_request(same)
        return int(xmlio.name_dictionary_context() is first)

    assert _in_thread(work) == 1


def test_parsed_bytes_renew_the_dictionary_even_for_refused_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlio, "RENEW_AFTER_BYTES", 2000)
    broken = b"<message><p123:unbound xmlns:p123='urn:x'><unclosed></message>"

    def work() -> int:
        kept: list[object] = []  # kept alive: a freed context's id() can be reused
        contexts = set()
        for _ in range(200):
            with pytest.raises(WebexError):
                xmlio.parse_request(broken)
            kept.append(xmlio.name_dictionary_context())
            contexts.add(id(kept[-1]))
        return len(contexts)

    assert _in_thread(work) >= 5


def test_renewing_leaves_documents_of_the_old_dictionary_intact() -> None:
    def work() -> list[str]:
        first = xmlio.parse_request(_unique(1))
        xmlio.renew_name_dictionary()
        second = xmlio.parse_request(_unique(2))
        return [
            first.bodies[0].node.children[1].name,
            second.bodies[0].node.children[1].name,
            first.security.get("webExID") or "",
        ]

    assert _in_thread(work) == ["n000001", "n000002", "host"]


def test_history_of_a_deleted_session_is_listed_once() -> None:
    site = Site("s")
    session = site.add_session(_session(site))
    site.remove_session(session.key)
    site.record_history(session, ended=datetime(2030, 1, 1, 10) + timedelta(minutes=5))
    assert [r.key for r in site.history] == [session.key]


def test_a_site_whose_client_was_told_to_wait_is_not_dropped_as_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 (or a busy site's 503) tells the client to come back later; while it waits, creating more
    sites than the cap drops another site, not the one it waits for."""
    monkeypatch.setattr("webex_harness.emulator.registry.MAX_SITES", 2)
    registry = Registry()
    waiting = registry.create_site("waiting", SiteSettings(rest_rate_limit_per_minute=1))
    auth = {"authorization": f"Bearer {waiting.rest_token}"}
    assert respond(registry, "GET", "/v1/meetings", "", auth, b"", "http://test")[0] == 200
    assert respond(registry, "GET", "/v1/meetings", "", auth, b"", "http://test")[0] == 429
    other = registry.create_site("other", SiteSettings())  # used after the 429: the most recent
    assert other.last_used < waiting.last_used

    registry.create_site("third", SiteSettings())

    assert "waiting" in registry.sites and "other" not in registry.sites
    assert registry.by_token(waiting.rest_token) is waiting


def test_a_busy_site_that_answers_503_counts_as_used_until_its_retry_after() -> None:
    app = create_app(busy_options=BusyOptions(seed=1, unavailable_one_in=1, retry_after_seconds=600))
    site = app.registry.default
    body = build_request("site", "GetSite", {}, Security(site.name, "host", "x"))

    status = app.answer_xml(body, {})[0]

    assert status == 503
    assert site.last_used > time.monotonic() + 500
