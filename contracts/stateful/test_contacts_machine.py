"""A state machine over personal contacts and distribution lists (General Session service).

Rules: CreateContacts (one to three contacts, e-mails in drawn letter case), SetContact, CreateDistList
(any of the machine's contacts), SetDistList (ADD / DELETE / DELETE_ALL, rename), SetDistList and
CreateDistList naming IDs that name nothing, and the reads: LstContact of the host, LstContact of a
list (by ID and by name), LstDistList. A model of every contact (its fields) and list (name,
description, members) rides along; each read compares the site with it:

- a contact reads back what CreateContacts and the last SetContact wrote, its e-mail lowercase, and a
  SetContact changes the contact it names and no other (so the IDs CreateContacts answers must follow
  the order the contacts were sent: ``create-contacts-order``);
- LstContact of a list answers exactly the list's members, none being 000015 (``lst-contact-dist-list``);
- SetDistList's contact operations change the members as documented (``dist-list-contacts``);
- a contact ID or list ID that names nothing is 000015 and changes nothing (``dist-list-unknown-id``).

No API deletes a contact or a distribution list: on a real site the machine runs only with
``allow.destructive`` (what it makes stays, named with the run's prefix, listed by the ledger).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, initialize, multiple, rule

from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

#: how an e-mail's letters are cased when sent (it must read back lowercase)
CASES = ("lower", "upper", "title")
#: a contact or list ID this far beyond one the machine made names nothing
UNKNOWN_OFFSET = 10_000_000_000


@dataclass
class ContactModel:
    email: str
    name: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class ListModel:
    name: str
    desc: str
    members: list[str] = field(default_factory=list)  # contact labels, in the order added


def _cased(email: str, case: str) -> str:
    local, _, domain = email.partition("@")
    if case == "upper":
        return email.upper()
    if case == "title":
        return f"{local.title()}@{domain.title()}"
    return email


def _missing(answer: XmlResponse) -> bool:
    return (answer.result, answer.exception_id) == ("FAILURE", "000015")


class ContactsMachine(ContractMachine):
    """Contacts and distribution lists of the host, against a model of both."""

    examples = 12
    steps_per_example = 10

    contacts = Bundle("contacts")
    lists = Bundle("lists")

    def __init__(self, site: SiteHandle) -> None:
        if not site.is_emulator and not site.target.environment.allow.destructive:
            pytest.skip("refused: no API deletes contacts or distribution lists; set allow.destructive: true")
        super().__init__(site)
        self.tag = secrets.token_hex(4)  # e-mails no one else on the site uses
        self.serial = 0
        self.people: dict[str, ContactModel] = {}
        self.dist: dict[str, ListModel] = {}

    # ------------------------------------------------------------ contacts

    def _create(self, cases: list[str]) -> list[Ref]:
        sent: list[ContactModel] = []
        for _ in cases:
            self.serial += 1
            email = f"wxh.{self.tag}.{self.serial}@example.com"
            sent.append(ContactModel(email, own_name(f"contact {self.serial}")))
        pairs = zip(sent, cases, strict=True)
        body = {"contact": [{"name": c.name, "email": _cased(c.email, case)} for c, case in pairs]}
        answer = self.xml("ep", "CreateContacts", body).expect_success()
        ids = answer.texts("ep:contactID")
        assert len(ids) == len(sent) and len(set(ids)) == len(ids), f"{len(sent)} contacts sent, IDs answered: {ids}"
        made = []
        for contact, contact_id in zip(sent, ids, strict=True):
            ref = self.new_ref("contact", contact_id)
            self.people[ref.label] = contact
            made.append(ref)
        return made

    @initialize(target=contacts, cases=st.lists(st.sampled_from(CASES), min_size=2, max_size=3))
    @recorded
    def create_first_contacts(self, cases: list[str]) -> Any:
        return multiple(*self._create(cases))

    @rule(target=contacts, cases=st.lists(st.sampled_from(CASES), min_size=1, max_size=3))
    @recorded
    def create_contacts(self, cases: list[str]) -> Any:
        return multiple(*self._create(cases))

    @rule(contact=contacts, n=st.integers(0, 99), company=st.booleans())
    @recorded
    def set_contact(self, contact: Ref, n: int, company: bool) -> None:
        model = self.people[contact.label]
        changes = {"name": own_name(f"renamed {n}")}
        if company:
            changes["company"] = f"Company {n}"
        self.xml("ep", "SetContact", {"contactID": contact.key, "contact": changes}).expect_success()
        model.name = changes["name"]
        model.fields.update({k: v for k, v in changes.items() if k != "name"})
        self._check_contacts(f"after SetContact of {contact.label}")

    @rule()
    @recorded
    def list_contacts(self) -> None:
        self._check_contacts("LstContact")

    def _check_contacts(self, when: str) -> None:
        """LstContact of the host: every contact of the machine once, as the model has it."""
        answer = self.xml("ep", "LstContact", {}).expect_success()
        listed: dict[str, dict[str, str]] = {}
        for entry in answer.xpath("ep:contact"):
            email = entry.findtext("{*}email") or ""
            assert email not in listed or not email.startswith(f"wxh.{self.tag}."), f"{when}: {email} listed twice"
            listed[email] = {"name": entry.findtext("{*}name") or "", "company": entry.findtext("{*}company") or ""}
        for label, model in self.people.items():
            got = listed.get(model.email)
            assert got is not None, f"{when}: {label} ({model.email}, stored lowercase) is not listed: {sorted(listed)}"
            want = {"name": model.name, "company": model.fields.get("company", "")}
            assert got == want, f"{when}: {label} reads {got}, the model says {want}"
        if self.site.is_emulator:
            assert len(listed) == len(self.people), f"{when}: {len(listed)} contacts listed, {len(self.people)} made"

    # ------------------------------------------------------------ distribution lists

    @initialize(target=lists, picks=st.lists(st.integers(0, 9), min_size=1, max_size=3), n=st.integers(0, 99))
    @recorded
    def create_first_list(self, picks: list[int], n: int) -> Ref:
        """A list of some of the contacts made so far (``picks`` choose them; none yet: an empty list)."""
        labels = list(self.people)
        return self._create_list([self.refs[labels[i % len(labels)]] for i in picks] if labels else [], n)

    @rule(target=lists, members=st.lists(contacts, max_size=3), n=st.integers(0, 99))
    @recorded
    def create_list(self, members: list[Ref], n: int) -> Ref:
        return self._create_list(members, n)

    def _create_list(self, members: list[Ref], n: int) -> Ref:
        name = own_name(f"list {self.serial}.{n}")
        self.serial += 1
        body = {"distList": {"name": name, "desc": f"list {n}", "contactID": [m.key for m in members]}}
        list_id = self.xml("ep", "CreateDistList", body).expect_success().text("ep:distListID")
        assert list_id, "CreateDistList answered no distListID"
        ref = self.new_ref("list", list_id)
        self.dist[ref.label] = ListModel(name, f"list {n}", list(dict.fromkeys(m.label for m in members)))
        self._check_members(ref, "after CreateDistList")
        return ref

    @rule(
        dist=lists,
        operation=st.sampled_from(["ADD", "DELETE", "DELETE", "DELETE_ALL", None]),
        members=st.lists(contacts, max_size=2),
        picks=st.lists(st.integers(0, 9), min_size=1, max_size=2),
        rename=st.none() | st.integers(0, 99),
    )
    @recorded
    def set_list(
        self, dist: Ref, operation: str | None, members: list[Ref], picks: list[int], rename: int | None
    ) -> None:
        """SetDistList; ``members`` are any contacts, ``picks`` choose among the list's own members
        (so that a DELETE usually names some)."""
        model = self.dist[dist.label]
        if model.members:
            members = [*members, *(self.refs[model.members[i % len(model.members)]] for i in picks)]
        body: dict[str, Any] = {"distListID": dist.key}
        if rename is not None:
            body |= {"name": own_name(f"list renamed {rename}.{self.serial}"), "desc": f"renamed {rename}"}
            self.serial += 1
        if operation is not None:
            body["contactOperation"] = operation
        if operation != "DELETE_ALL":
            body["contactID"] = [m.key for m in members]
        self.xml("ep", "SetDistList", {"distList": body}).expect_success()
        labels = [m.label for m in members]
        if operation == "DELETE_ALL":
            model.members.clear()
        elif operation == "DELETE":
            model.members[:] = [m for m in model.members if m not in labels]
        else:  # ADD, also what IDs without an operation mean
            model.members.extend(m for m in dict.fromkeys(labels) if m not in model.members)
        if rename is not None:
            model.name, model.desc = body["name"], body["desc"]
        self._check_members(dist, f"after SetDistList {operation or '(no operation)'}")

    @rule(dist=lists, where=st.sampled_from(["ADD", "DELETE", "CreateDistList", "distListID"]), n=st.integers(0, 99))
    @recorded
    def name_nothing(self, dist: Ref, where: str, n: int) -> None:
        """An ID that names nothing — a contactID added to or deleted from a list, a contactID of a
        new list, a distListID — is 000015 and changes nothing."""
        known = [int(self.refs[label].key) for label in self.people] or [int(dist.key)]
        unknown = str(max(known) + UNKNOWN_OFFSET)
        if where == "distListID":
            unknown = str(int(dist.key) + UNKNOWN_OFFSET)
            answer = self.xml("ep", "SetDistList", {"distList": {"distListID": unknown, "desc": f"never {n}"}})
        elif where == "CreateDistList":
            body = {"name": own_name(f"refused list {n}"), "contactID": [unknown]}
            answer = self.xml("ep", "CreateDistList", {"distList": body})
        else:
            body = {"distListID": dist.key, "contactID": [unknown], "contactOperation": where}
            answer = self.xml("ep", "SetDistList", {"distList": body})
        assert _missing(answer), f"{where} naming {unknown} (names nothing): {answer.describe()}"
        self._check_members(dist, f"after a refused {where}")

    @rule(dist=lists, by_name=st.booleans())
    @recorded
    def read_list(self, dist: Ref, by_name: bool) -> None:
        model = self.dist[dist.label]
        listed = self.xml("ep", "LstDistList", {"distListID": dist.key}).expect_success()
        assert listed.texts("ep:distList/ep:distListID") == [dist.key], listed.describe()
        got = (listed.text("ep:distList/ep:name"), listed.text("ep:distList/ep:desc", ""))
        assert got == (model.name, model.desc), f"{dist.label}: LstDistList reads {got}"
        assert listed.text("ep:distList/ep:addressType") == "PERSONAL"
        self._check_members(dist, "LstContact", by_name=by_name)

    def _check_members(self, dist: Ref, when: str, *, by_name: bool = False) -> None:
        """LstContact of the list (by ID or name) answers exactly its members (none: 000015)."""
        model = self.dist[dist.label]
        ask = {"distListName": model.name} if by_name else {"distListID": dist.key}
        answer = self.xml("ep", "LstContact", ask)
        want = sorted(self.people[m].email for m in model.members)
        if not want:
            assert _missing(answer), f"{when}: {dist.label} holds no contact, LstContact {ask}: {answer.describe()}"
            return
        got = sorted(e.strip() for e in answer.expect_success().texts("ep:contact/ep:email"))
        members = ", ".join(model.members)
        assert got == want, f"{when}: LstContact {ask} answers {got}, {dist.label} holds {members}: {want}"


def test_contacts_and_distribution_lists_follow_their_model(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(ContactsMachine)
