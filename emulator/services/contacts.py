"""Personal contacts of the General Session service (``java:com.webex.service.binding.ep.*``):
CreateContacts (and the 40.8.0 release notes' CreateContact), SetContact and LstContact over the
site's :class:`~emulator.model.Contact` store.

Shapes follow the XML API Reference Guide (pages ``createcontacts`` and ``lstcontact``; the latter
could not be read here, so LstContact follows the published ep schema as public clients carry it):
a contact is ``contactType`` — name, title, company, webExId, address, phones, email (required),
notes, url, type, joinStatus, language, locale, timeZoneID — and LstContact answers ``ep:contact``
elements in that order.

Rules: CreateContacts validates every ``contact`` first, then creates them all and answers one
``ep:contactID`` per contact, in the order sent (behaviour ``create-contacts-order``; a bad contact
part-way fails the request and creates none). LstContact lists the caller's contacts (``hostWebExID``:
that host's — the reference lets a user look up other hosts' lists), narrowed to the contacts of a
distribution list by ``distListID`` / ``distListName`` (behaviour ``lst-contact-dist-list``; an
unknown list, or no contact at all, is 000015). The XML API has no call that deletes a contact.

Stands on :mod:`emulator.model`, :mod:`emulator.services.common` (e-mail rules) and
:mod:`emulator.services.site` (who is an administrator, the envelope-shape fault).
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Contact, DistList
from webex_harness.emulator.services import common, set_drops
from webex_harness.emulator.services.site import handler, is_site_admin
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex.errors import access_denied, invalid_value, no_record_found

CREATE_CONTACTS_ORDER = declare(
    "create-contacts-order", "CreateContacts answers the new contacts' IDs in reverse order"
)
LST_CONTACT_DIST_LIST = declare(
    "lst-contact-dist-list", "LstContact ignores distListID/distListName and lists every contact of the host"
)

#: ``contactType``'s elements in schema order; a group's children are kept as "group/child"
CONTACT_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name", ()),
    ("title", ()),
    ("company", ()),
    ("webExId", ()),
    ("address", ("addressType", "address1", "address2", "city", "state", "zipCode", "country")),
    ("phones", ("phone", "mobilePhone", "fax")),
    ("email", ()),
    ("notes", ()),
    ("url", ()),
    ("type", ()),
    ("joinStatus", ()),
    ("language", ()),
    ("locale", ()),
    ("timeZoneID", ()),
)
#: the 40.8.0 CreateContact's own names, kept as sent (not part of contactType's answer)
_EXTRA_FIELDS = ("firstName", "lastName")


def contact_fields(call: Call, node: Node) -> dict[str, str]:
    """A contact's elements as sent; its e-mail checked and normalised (``email-no-whitespace``,
    ``email-lowercase``)."""
    fields: dict[str, str] = {}
    for name, children in CONTACT_ORDER:
        if name == "email":
            continue
        for path in [f"{name}/{child}" for child in children] or [name]:
            value = node.get(path)
            if value is not None:
                fields[path] = value
    for name in _EXTRA_FIELDS:
        value = node.get(name)
        if value is not None:
            fields[name] = value
    email = node.get("email")
    if email is not None:
        fields["email"] = common.normalise_email(call, email)
    return fields


def contact_elements(contact: Contact) -> list[Element]:
    """A contact as ``contactType``'s elements, in schema order (only those it has)."""
    out: list[Element] = []
    for name, children in CONTACT_ORDER:
        if children:
            group = [(f"com:{c}", contact.fields[f"{name}/{c}"]) for c in children if f"{name}/{c}" in contact.fields]
            if group:
                out.append((f"ep:{name}", group))
        elif name in contact.fields:
            out.append((f"ep:{name}", contact.fields[name]))
    return out


def own_contact(call: Call, contact_id: str | None) -> Contact:
    """The caller's contact ``contact_id`` (a site administrator may act on any): unknown 000015,
    someone else's 000001."""
    caller = call.user()
    contact = call.site.contacts.get((contact_id or "").strip())
    if contact is None:
        raise no_record_found()
    if contact.owner.lower() != caller.webex_id.lower() and not is_site_admin(call, caller):
        raise access_denied()
    return contact


def _well_formed(email: str) -> bool:
    local, at, domain = email.partition("@")
    return bool(local) and bool(at) and "." in domain and not domain.startswith(".") and not domain.endswith(".")


def _create(call: Call, *, email_required: bool) -> list[Element]:
    """Validate every ``contact``, then create them all: one ``ep:contactID`` each, in order."""
    caller = call.user()
    contacts = call.node.all("contact")
    if not contacts:
        raise invalid_value("contact")
    validate = common.parse_bool(call.node.get("validateFormat"), False)
    prepared = [contact_fields(call, c) for c in contacts]
    for fields in prepared:
        if email_required and not fields.get("email"):
            raise invalid_value("email")
        if not fields.get("name") and not fields.get("email"):
            raise invalid_value("contact")
        if validate and fields.get("email") and not _well_formed(fields["email"]):
            raise invalid_value("email")
    ids: list[Element] = []
    for fields in prepared:
        cid = call.site.next_id()
        call.site.contacts[cid] = Contact(cid, caller.webex_id, fields)
        ids.append(("ep:contactID", cid))
    return ids[::-1] if call.fault(CREATE_CONTACTS_ORDER) else ids


@handler("ep", "CreateContacts", "ep:createContactsResponse")
def create_contacts(call: Call) -> Elements:
    """The reference's CreateContacts: one or more personal contacts of the caller."""
    return _create(call, email_required=True)


@handler("ep", "CreateContact", "ep:createContactResponse")
def create_contact(call: Call) -> Elements:
    """Personal contacts of the caller, by the 40.8.0 release notes' name (a name or an e-mail each)."""
    return _create(call, email_required=False)


@handler("ep", "SetContact", "ep:setContactResponse")
def set_contact(call: Call) -> Elements:
    """Change a contact of the caller (a site administrator may change any); unknown: 000015."""
    call = set_drops.honoured(call)
    contact = own_contact(call, call.node.get("contactID"))
    body = call.node.child("contact") or call.node
    contact.fields.update(contact_fields(call, body))
    return []


def host_of(call: Call) -> str:
    """Whose contacts and lists a listing reads: ``hostWebExID`` (an existing user; else 000015) or the caller."""
    caller = call.user()
    named = (call.node.get("hostWebExID") or "").strip()
    if not named:
        return caller.webex_id
    user = call.site.user(named)
    if user is None:
        raise no_record_found()
    return user.webex_id


def lists_named(call: Call, owner: str, list_id: str, list_name: str, address_type: str) -> list[DistList]:
    """The distribution lists of ``owner`` a listing names (by ID, name — case-blind — and address type)."""
    found = [d for d in call.site.dist_lists.values() if d.owner.lower() == owner.lower() or d.address_type == "GLOBAL"]
    if list_id:
        found = [d for d in found if d.dist_list_id == list_id]
    if list_name:
        found = [d for d in found if d.name.lower() == list_name.lower()]
    if address_type:
        found = [d for d in found if d.address_type == address_type]
    return found


@handler("ep", "LstContact", "ep:lstContactResponse")
def lst_contact(call: Call) -> Elements:
    """The host's contacts (those of the named distribution list), oldest first; none: 000015."""
    owner = host_of(call)
    list_id = (call.node.get("distListID") or "").strip()
    list_name = (call.node.get("distListName") or "").strip()
    address_type = (call.node.get("addressType") or "").strip().upper()
    contacts = [c for c in call.site.contacts.values() if c.owner.lower() == owner.lower()]
    if (list_id or list_name or address_type) and not call.fault(LST_CONTACT_DIST_LIST):
        wanted: dict[str, None] = {}
        for dist in lists_named(call, owner, list_id, list_name, address_type):
            wanted.update(dict.fromkeys(dist.contact_ids))
        contacts = [call.site.contacts[i] for i in wanted if i in call.site.contacts]
    if not contacts:
        raise no_record_found()
    return [("ep:contact", contact_elements(c)) for c in contacts]
