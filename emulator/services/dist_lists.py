"""Distribution lists of the General Session service (``java:com.webex.service.binding.ep.*``):
CreateDistList, SetDistList and LstDistList over the site's :class:`~emulator.model.DistList` store.

Shapes follow the XML API Reference Guide (pages ``setdistlist`` and ``lstdistlist``: request and
response samples; ``createdistlist`` could not be read here, so CreateDistList follows the published
ep schema as public clients carry it): a list is created with ``distList`` — ``name`` (required),
``desc``, ``contactID`` repeated — and answers its ``ep:distListID``. SetDistList names the list by
``distListID`` and may rename it, change its description and, by ``contactOperation``, ADD the
``contactID``s it names (the default when IDs are sent), DELETE them, or DELETE_ALL of the list's
contacts (behaviour ``dist-list-contacts``). LstDistList answers ``ep:distList`` (distListID, name,
desc, addressType) for the lists matching ``distListID`` / ``name`` / ``addressType`` of the caller,
or of ``hostWebExID`` (the reference lets a user query other hosts' lists), with the company-wide
(GLOBAL) ones; none: 000015.

Rules: only the caller's own contacts go into a list, and only the list's owner (or a site
administrator) changes it; a ``contactID`` naming no contact of the owner, or a ``distListID`` naming
no list, is 000015 and changes nothing (behaviour ``dist-list-unknown-id``); someone else's list is
000001. The XML API has no call that deletes a distribution list (nor a contact).

Stands on :mod:`emulator.model`, :mod:`emulator.services.contacts` (whose contacts and lists a
listing reads) and :mod:`emulator.services.site`.
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import DistList
from webex_harness.emulator.services import set_drops
from webex_harness.emulator.services.contacts import host_of, lists_named
from webex_harness.emulator.services.site import handler, is_site_admin
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex.errors import access_denied, invalid_value, no_record_found

DIST_LIST_CONTACTS = declare(
    "dist-list-contacts", "SetDistList's contactOperation DELETE removes nothing (the contacts stay in the list)"
)
DIST_LIST_UNKNOWN_ID = declare(
    "dist-list-unknown-id",
    "CreateDistList and SetDistList accept contact IDs that name no contact of the owner (kept in the list)",
)

#: SetDistList's ``contactOperation`` values (``contactOperationType``)
OPERATIONS = ("ADD", "DELETE", "DELETE_ALL")


def _contact_ids(call: Call, node: Node, owner: str) -> list[str]:
    """The ``contactID``s of ``node``, each a contact of ``owner`` (else 000015), without repeats."""
    ids = [(c.text or "").strip() for c in node.all("contactID")]
    for cid in ids:
        if not cid.isdigit():
            raise invalid_value("contactID")
        contact = call.site.contacts.get(cid)
        if (contact is None or contact.owner.lower() != owner.lower()) and not call.fault(DIST_LIST_UNKNOWN_ID):
            raise no_record_found()
    return list(dict.fromkeys(ids))


@handler("ep", "CreateDistList", "ep:createDistListResponse")
def create_dist_list(call: Call) -> Elements:
    """A new PERSONAL list of the caller holding the contacts it names; answers its ID."""
    caller = call.user()
    body = call.node.child("distList")
    if body is None:
        raise invalid_value("distList")
    name = (body.get("name") or "").strip()
    if not name:
        raise invalid_value("name")
    ids = _contact_ids(call, body, caller.webex_id)
    list_id = call.site.next_id()
    call.site.dist_lists[list_id] = DistList(list_id, caller.webex_id, name, body.get("desc") or "", "PERSONAL", ids)
    return [("ep:distListID", list_id)]


def own_list(call: Call, list_id: str | None) -> DistList:
    """The caller's list ``list_id`` (a site administrator may change any): unknown 000015, another's 000001."""
    caller = call.user()
    dist = call.site.dist_lists.get((list_id or "").strip())
    if dist is None:
        raise no_record_found()
    if dist.owner.lower() != caller.webex_id.lower() and not is_site_admin(call, caller):
        raise access_denied()
    return dist


@handler("ep", "SetDistList", "ep:setDistListResponse")
def set_dist_list(call: Call) -> Elements:
    """Rename, describe, and ADD / DELETE / DELETE_ALL contacts of a list (checked before anything changes)."""
    call = set_drops.honoured(call)
    body = call.node.child("distList")
    if body is None:
        raise invalid_value("distList")
    dist = own_list(call, body.get("distListID"))
    operation = (body.get("contactOperation") or "ADD").strip().upper()
    if operation not in OPERATIONS:
        raise invalid_value("contactOperation")
    ids = _contact_ids(call, body, dist.owner) if operation != "DELETE_ALL" else []
    name = body.get("name")
    if name is not None and not name.strip():
        raise invalid_value("name")
    if name is not None:
        dist.name = name.strip()
    if body.get("desc") is not None:
        dist.desc = body.get("desc") or ""
    if operation == "ADD":
        dist.contact_ids.extend(i for i in ids if i not in dist.contact_ids)
    elif operation == "DELETE" and not call.fault(DIST_LIST_CONTACTS):
        dist.contact_ids[:] = [i for i in dist.contact_ids if i not in ids]
    elif operation == "DELETE_ALL":
        dist.contact_ids.clear()
    return []


def _list_elements(dist: DistList) -> list[Element]:
    out: list[Element] = [("ep:distListID", dist.dist_list_id), ("ep:name", dist.name)]
    if dist.desc:
        out.append(("ep:desc", dist.desc))
    out.append(("ep:addressType", dist.address_type))
    return out


@handler("ep", "LstDistList", "ep:lstDistListResponse")
def lst_dist_list(call: Call) -> Elements:
    """The lists the request names, oldest first; none: 000015."""
    owner = host_of(call)
    found = lists_named(
        call,
        owner,
        (call.node.get("distListID") or "").strip(),
        (call.node.get("name") or "").strip(),
        (call.node.get("addressType") or "").strip().upper(),
    )
    if not found:
        raise no_record_found()
    return [("ep:distList", _list_elements(d)) for d in found]
