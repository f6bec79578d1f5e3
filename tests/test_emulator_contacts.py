"""The emulator's contacts and distribution lists in-process: what the contract suite cannot see from
outside (nothing created when one contact of CreateContacts is bad, who may change or read a list,
GLOBAL lists, the typed store and the control API's view) and the clean-up's words for lists that stay."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.test_emulator_users import Site
from webex_harness.emulator.app import create_app
from webex_harness.emulator.model import DistList
from webex_harness.generators.envelopes import GenContext, valid_envelope
from webex_harness.runs.report_facts import cleanup_notes


@pytest.fixture
def site() -> Site:
    return Site(create_app())


def _store(site: Site) -> Any:
    store = site.app.registry.get(site.name)
    assert store is not None
    return store


def _contacts(site: Site, *emails: str, who: str = "host") -> list[str]:
    body = {"contact": [{"name": f"N{i}", "email": e} for i, e in enumerate(emails)]}
    return site.call("ep", "CreateContacts", body, who=who).expect_success().texts("ep:contactID")


def _list(site: Site, name: str, ids: list[str], who: str = "host") -> str:
    made = site.call("ep", "CreateDistList", {"distList": {"name": name, "contactID": ids}}, who=who)
    return made.expect_success().text("ep:distListID") or ""


def test_a_bad_contact_part_way_creates_none_of_the_request(site: Site) -> None:
    before = len(_store(site).contacts)
    bad = site.call(
        "ep",
        "CreateContacts",
        {"contact": [{"name": "Ok", "email": "ok@example.com"}, {"name": "No e-mail"}]},
        who="host",
    )
    assert (bad.result, bad.exception_id) == ("FAILURE", "010001")
    assert len(_store(site).contacts) == before


def test_create_contacts_checks_the_email_format_only_when_asked(site: Site) -> None:
    body: dict[str, Any] = {"contact": {"name": "Odd", "email": "not-an-address"}}
    assert site.call("ep", "CreateContacts", body, who="host").ok
    refused = site.call("ep", "CreateContacts", {**body, "validateFormat": True}, who="host")
    assert (refused.result, refused.exception_id) == ("FAILURE", "010001")


def test_lst_contact_answers_contact_type_elements_in_schema_order(site: Site) -> None:
    body = {
        "contact": {
            "url": "https://example.com",
            "email": "Full@Example.com",
            "phones": {"phone": "+1 555 0100"},
            "company": "Co",
            "name": "Full",
            "address": {"city": "Oslo"},
            "title": "Dr",
        }
    }
    (cid,) = site.call("ep", "CreateContacts", body, who="host").expect_success().texts("ep:contactID")
    list_id = _list(site, "order", [cid])
    listed = site.call("ep", "LstContact", {"distListID": list_id}, who="host").expect_success()
    contact = listed.xpath("ep:contact")[0]
    names = [el.tag.split("}")[1] for el in contact]
    assert names == ["name", "title", "company", "address", "phones", "email", "url"]
    assert listed.text("ep:contact/ep:address/com:city") == "Oslo"
    assert listed.text("ep:contact/ep:email") == "full@example.com"


def test_lst_contact_without_a_list_answers_every_contact_of_the_host_and_000015_when_none(site: Site) -> None:
    none = site.call("ep", "LstContact", {}, who="invitee")
    assert (none.result, none.exception_id) == ("FAILURE", "000015")
    _contacts(site, "a@example.com", "b@example.com", who="invitee")
    listed = site.call("ep", "LstContact", {}, who="invitee").expect_success()
    assert listed.texts("ep:contact/ep:email") == ["a@example.com", "b@example.com"]


def test_only_the_owner_or_a_site_admin_changes_a_list(site: Site) -> None:
    ids = _contacts(site, "m@example.com")
    list_id = _list(site, "mine", ids)
    other = site.call("ep", "SetDistList", {"distList": {"distListID": list_id, "name": "theirs"}}, who="invitee")
    assert (other.result, other.exception_id) == ("FAILURE", "000001")
    site.call(
        "ep", "SetDistList", {"distList": {"distListID": list_id, "name": "admin's"}}, who="admin"
    ).expect_success()
    assert _store(site).dist_lists[list_id].name == "admin's"


def test_another_hosts_contacts_cannot_go_into_a_list(site: Site) -> None:
    (theirs,) = _contacts(site, "t@example.com", who="invitee")
    refused = site.call("ep", "CreateDistList", {"distList": {"name": "x", "contactID": [theirs]}}, who="host")
    assert (refused.result, refused.exception_id) == ("FAILURE", "000015")
    assert not _store(site).dist_lists


def test_lst_dist_list_reads_another_hosts_lists_by_host_webex_id(site: Site) -> None:
    list_id = _list(site, "Shared", _contacts(site, "s@example.com"))
    mine = site.call("ep", "LstDistList", {}, who="invitee")
    assert (mine.result, mine.exception_id) == ("FAILURE", "000015")
    theirs = site.call("ep", "LstDistList", {"hostWebExID": "host", "name": "shared"}, who="invitee").expect_success()
    assert theirs.texts("ep:distList/ep:distListID") == [list_id]
    assert not theirs.has("ep:distList/ep:desc"), "no desc was set"
    unknown = site.call("ep", "LstDistList", {"hostWebExID": "nobody"}, who="invitee")
    assert (unknown.result, unknown.exception_id) == ("FAILURE", "000015")
    global_only = site.call("ep", "LstDistList", {"addressType": "GLOBAL"}, who="host")
    assert (global_only.result, global_only.exception_id) == ("FAILURE", "000015")


def test_a_global_list_is_listed_for_every_host(site: Site) -> None:
    store = _store(site)
    store.dist_lists["42"] = DistList("42", "admin", "Company", "everyone", "GLOBAL", [])
    listed = site.call("ep", "LstDistList", {"addressType": "GLOBAL"}, who="invitee").expect_success()
    assert listed.texts("ep:distList/ep:name") == ["Company"]
    assert listed.text("ep:distList/ep:addressType") == "GLOBAL"


def test_set_dist_list_refuses_an_unknown_operation_and_changes_nothing(site: Site) -> None:
    ids = _contacts(site, "o@example.com", "p@example.com")
    list_id = _list(site, "ops", ids[:1])
    bad = site.call(
        "ep",
        "SetDistList",
        {"distList": {"distListID": list_id, "name": "new", "contactID": ids[1:], "contactOperation": "MOVE"}},
        who="host",
    )
    assert (bad.result, bad.exception_id) == ("FAILURE", "010001")
    dist = _store(site).dist_lists[list_id]
    assert (dist.name, dist.contact_ids) == ("ops", ids[:1])
    site.call("ep", "SetDistList", {"distList": {"distListID": list_id, "contactID": ids}}, who="host").expect_success()
    assert dist.contact_ids == ids, "ADD is the default and keeps each contact once"


def test_the_control_api_shows_the_lists(site: Site) -> None:
    ids = _contacts(site, "c@example.com")
    list_id = _list(site, "seen", ids)
    described = _store(site).state()
    assert described["distLists"] == [
        {
            "distListID": list_id,
            "owner": "host",
            "name": "seen",
            "desc": "",
            "addressType": "PERSONAL",
            "contactIDs": ids,
        }
    ]


def test_the_summary_says_why_distribution_lists_stay() -> None:
    notes = cleanup_notes({"cleanup": {"left": [{"kind": "dist-list", "undeletable": True}]}})
    assert notes and "1 distribution list stays on the site" in notes[0]


def test_every_valid_envelope_of_the_apis_succeeds(site: Site) -> None:
    """Valid envelopes addressing the caller's own contact and list (the contract suite makes them first)."""
    (cid,) = _contacts(site, "v@example.com", who="admin")
    list_id = _list(site, "valid", [cid], who="admin")
    now = datetime.now(UTC).replace(tzinfo=None)
    ctx = GenContext(now=now, security=site.security(), contact_id=cid, dist_list_id=list_id)
    for api in ("CreateContacts", "LstContact", "CreateDistList", "LstDistList", "SetDistList"):
        for seed in (1, 2, 3):
            answer = site.send(valid_envelope(api, seed, ctx))
            assert answer.ok, f"{api} seed {seed}: {answer.describe()}"
