"""Personal contacts of the event-planner service (``java:com.webex.service.binding.ep.*``):
CreateContact and SetContact over the site's :class:`~emulator.model.Contact` store.

Named by the seeds without samples; the shape follows the public XML API reference as
integrators use it. Stands on :mod:`emulator.model`, :mod:`emulator.services.common` (e-mail
rules) and :mod:`emulator.services.site` (who is an administrator, the envelope-shape fault).
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.model import Contact
from webex_harness.emulator.services import common
from webex_harness.emulator.services.site import handler, is_site_admin
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex.errors import access_denied, invalid_value, no_record_found

#: The elements of a ``contact`` kept as sent (``email`` is kept normalised).
_TEXT_FIELDS = ("name", "company", "title", "url", "notes", "firstName", "lastName")


def contact_fields(call: Call, node: Node) -> dict[str, str]:
    """A contact's elements as sent; its e-mail checked and normalised (``email-no-whitespace``,
    ``email-lowercase``)."""
    fields: dict[str, str] = {}
    for name in _TEXT_FIELDS:
        value = node.get(name)
        if value is not None:
            fields[name] = value
    email = node.get("email")
    if email is not None:
        fields["email"] = common.normalise_email(call, email)
    return fields


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


@handler("ep", "CreateContact", "ep:createContactResponse")
def create_contact(call: Call) -> Elements:
    """Personal contacts of the caller; one ``ep:contactID`` per ``contact`` (validated first)."""
    caller = call.user()
    contacts = call.node.all("contact")
    if not contacts:
        raise invalid_value("contact")
    prepared = [contact_fields(call, c) for c in contacts]
    for fields in prepared:
        if not fields.get("name") and not fields.get("email"):
            raise invalid_value("contact")
    ids: list[Element] = []
    for fields in prepared:
        cid = call.site.next_id()
        call.site.contacts[cid] = Contact(cid, caller.webex_id, fields)
        ids.append(("ep:contactID", cid))
    return ids


@handler("ep", "SetContact", "ep:setContactResponse")
def set_contact(call: Call) -> Elements:
    """Change a contact of the caller (a site administrator may change any); unknown: 000015."""
    contact = own_contact(call, call.node.get("contactID"))
    body = call.node.child("contact") or call.node
    contact.fields.update(contact_fields(call, body))
    return []
