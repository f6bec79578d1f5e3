"""Personal contacts and their distribution lists (General Session service): CreateContacts answers
the new IDs in order (create-contacts-order), LstContact narrowed to a list (lst-contact-dist-list),
SetDistList's contact operations (dist-list-contacts) and unknown IDs (dist-list-unknown-id).

The XML API has no call that deletes a contact or a distribution list (the reference has no
DelContact nor DelDistList): on a real site what these tests create stays, and the run's ledger lists
each one as left (named with the run's prefix) for removal by hand. Each test makes a few (at most
four contacts and two lists).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.webex.envelope import XmlResponse


def _emails(count: int) -> list[str]:
    """E-mails no other test (nor anything foreign on the site) uses."""
    tag = secrets.token_hex(4)
    return [f"wxh.{tag}.{i}@example.com" for i in range(count)]


def _contacts(xml: XmlClient, run_name: Callable[[str], str], emails: list[str]) -> list[str]:
    body = {"contact": [{"name": run_name(f"contact {i}"), "email": e} for i, e in enumerate(emails)]}
    made = xml.call("ep", "CreateContacts", body).expect_success()
    ids = made.texts("ep:contactID")
    assert len(ids) == len(emails), f"{len(emails)} contacts sent, {len(ids)} contactIDs answered: {ids}"
    return ids


def _dist_list(xml: XmlClient, name: str, contact_ids: list[str], desc: str = "wxh") -> str:
    made = xml.call("ep", "CreateDistList", {"distList": {"name": name, "desc": desc, "contactID": contact_ids}})
    list_id = made.expect_success().text("ep:distListID")
    assert list_id, "CreateDistList answered no distListID"
    return list_id


def _listed_emails(answer: XmlResponse) -> set[str]:
    return {e.strip().lower() for e in answer.texts("ep:contact/ep:email")}


def _members(xml: XmlClient, list_id: str) -> set[str]:
    """The e-mails of the contacts distribution list ``list_id`` holds (none: the empty set, on 000015)."""
    answer = xml.call("ep", "LstContact", {"distListID": list_id})
    if answer.result == "FAILURE" and answer.exception_id == "000015":
        return set()
    return _listed_emails(answer.expect_success())


@pytest.mark.behaviour("create-contacts-order")
def test_create_contacts_answers_one_id_per_contact_in_the_order_sent(
    xml: XmlClient, run_name: Callable[[str], str]
) -> None:
    emails = _emails(3)
    ids = _contacts(xml, run_name, emails)
    assert len(set(ids)) == 3, f"three contacts got {ids}"
    # The answer carries IDs only: a list holding one ID says whose it is.
    first = _dist_list(xml, run_name("order first"), [ids[0]])
    last = _dist_list(xml, run_name("order last"), [ids[2]])
    assert _members(xml, first) == {emails[0]}, "the first contactID answered is not the first contact sent"
    assert _members(xml, last) == {emails[2]}, "the last contactID answered is not the last contact sent"


@pytest.mark.behaviour("lst-contact-dist-list")
def test_lst_contact_answers_the_contacts_a_distribution_list_holds(
    xml: XmlClient, run_name: Callable[[str], str]
) -> None:
    emails = _emails(3)
    ids = _contacts(xml, run_name, emails)
    name = run_name(f"members {secrets.token_hex(3)}")
    list_id = _dist_list(xml, name, ids[:2], desc="two of three")
    assert _members(xml, list_id) == set(emails[:2])
    by_name = xml.call("ep", "LstContact", {"distListName": name}).expect_success()
    assert _listed_emails(by_name) == set(emails[:2])
    listed = xml.call("ep", "LstDistList", {"distListID": list_id}).expect_success()
    assert listed.texts("ep:distList/ep:distListID") == [list_id]
    assert listed.text("ep:distList/ep:name") == name
    assert listed.text("ep:distList/ep:desc") == "two of three"
    assert listed.text("ep:distList/ep:addressType") == "PERSONAL"


@pytest.mark.behaviour("dist-list-contacts")
def test_set_dist_list_adds_removes_and_empties_its_contacts(xml: XmlClient, run_name: Callable[[str], str]) -> None:
    emails = _emails(2)
    first, second = _contacts(xml, run_name, emails)
    list_id = _dist_list(xml, run_name("operations"), [first])

    def set_list(**dist: object) -> None:
        xml.call("ep", "SetDistList", {"distList": {"distListID": list_id, **dist}}).expect_success()

    set_list(contactID=[second], contactOperation="ADD")
    assert _members(xml, list_id) == set(emails)
    set_list(contactID=[first], contactOperation="DELETE")
    assert _members(xml, list_id) == {emails[1]}
    renamed = run_name("renamed")
    set_list(name=renamed, desc="changed")
    listed = xml.call("ep", "LstDistList", {"distListID": list_id}).expect_success()
    assert (listed.text("ep:distList/ep:name"), listed.text("ep:distList/ep:desc")) == (renamed, "changed")
    assert _members(xml, list_id) == {emails[1]}, "renaming the list changed its contacts"
    set_list(contactOperation="DELETE_ALL")
    assert _members(xml, list_id) == set()


@pytest.mark.behaviour("dist-list-unknown-id")
def test_distribution_lists_refuse_ids_that_name_nothing(xml: XmlClient, run_name: Callable[[str], str]) -> None:
    emails = _emails(1)
    (contact,) = _contacts(xml, run_name, emails)
    unknown = str(int(contact) + 10_000_000_000)
    refused = xml.call("ep", "CreateDistList", {"distList": {"name": run_name("unknown"), "contactID": [unknown]}})
    assert refused.result == "FAILURE", f"CreateDistList with an unknown contactID: {refused.describe()}"
    list_id = _dist_list(xml, run_name("unknown ids"), [contact])
    added = xml.call(
        "ep", "SetDistList", {"distList": {"distListID": list_id, "contactID": [unknown], "contactOperation": "ADD"}}
    )
    assert added.result == "FAILURE", f"SetDistList adding an unknown contactID: {added.describe()}"
    assert _members(xml, list_id) == set(emails), "a refused SetDistList changed the list"
    missing = xml.call("ep", "SetDistList", {"distList": {"distListID": str(int(list_id) + 10_000_000_000)}})
    assert missing.result == "FAILURE", f"SetDistList of an unknown distListID: {missing.describe()}"
