"""Edge-case steps about element values, per kind of element: text lengths, enums, start dates,
e-mail addresses (case, white space, duplicates in a repeated group), HTML, XML special characters
and non-Latin names.

Each step takes the :class:`generators.edge_builder.CaseBuilder` of one API and adds its cases;
:mod:`generators.edges` runs them in order. Stands on :mod:`generators.edge_builder`,
:mod:`generators.bodytree`, :mod:`generators.outcomes` and :mod:`generators.catalogue`.
"""

from __future__ import annotations

import copy

from webex_harness.generators import bodytree
from webex_harness.generators.catalogue import ApiSpec, ElementSpec
from webex_harness.generators.edge_builder import CaseBuilder
from webex_harness.generators.outcomes import undocumented

__all__ = [
    "date_cases",
    "email_cases",
    "enum_cases",
    "html_cases",
    "length_cases",
    "text_cases",
]

_XML_SPECIAL = "R&D <Q4> \"review\" & 'plan' </bodyContent>"
_UNSAFE_HTML_TEXT = (
    "<b>Agenda</b><script>alert('x')</script><img src=x onerror=alert(1)><iframe src=//e.example></iframe>"
)


def length_cases(b: CaseBuilder) -> None:
    """Two text elements at their maximum length and one past it."""
    leaves = b.elements_in_body(
        lambda e: (
            e.type in ("string", "html")
            and e.max_length is not None
            and e.value is None
            and e.gen not in ("target_user", "self_or_target_user", "image_base64")
        )
    )
    done: set[str] = set()
    for el in leaves:
        name = bodytree.local(el.name)
        if name in done or len(done) == 2 or el.max_length is None:
            continue
        done.add(name)
        for suffix, length in (("at-max-length", el.max_length), ("one-past-max", el.max_length + 1)):
            body = b.body()
            bodytree.set_value(body, el.path, bodytree.fit("Probe length ", length))
            b.add(
                f"{name}-{suffix}",
                f"{el.path} of {length} characters (limit {el.max_length}: public XML API reference, not the seeds).",
                undocumented(b.requires),
                body,
            )


def enum_cases(b: CaseBuilder) -> None:
    """An enum element outside its values; autoLockWaitTime outside the documented list."""
    # the locked-lobby APIs that send the option (GetMeeting only reports it)
    lobby = "locked-lobby" in b.spec.behaviours and b.spec.has_element("attendeeOptions/autoLockWaitTime")
    leaves = b.elements_in_body(lambda e: e.type == "enum" and not e.repeated)
    for el in [e for e in leaves if not (lobby and e.name == "autoLockWaitTime")][:1]:
        body = b.body()
        bodytree.set_value(body, el.path, "NOT_A_VALID_VALUE")
        b.add(
            f"invalid-enum-{bodytree.local(el.name)}",
            f"{el.path} outside {', '.join(el.enum)}.",
            undocumented(b.requires),
            body,
        )
    if lobby:
        body = b.body()
        bodytree.set_value(body, "attendeeOptions/autoLockWaitTime", 7)
        b.add(
            "autoLockWaitTime-not-in-list",
            "autoLockWaitTime 7: the documented values are 0, 5, 10, 15, 20 "
            "(behaviour locked-lobby: others are rejected; exceptionID not documented).",
            b.predict("locked-lobby", requires=(*b.requires, "site.consistent_locked_lobby")),
            body,
        )


def date_cases(b: CaseBuilder) -> None:
    """A start date in the past."""
    dates = b.elements_in_body(lambda e: e.type == "date" and e.name == "startDate")
    if not dates:
        return
    el = dates[0]
    past = b.webex.webex_date(b.ctx.now, -30, -2)
    body = b.body()
    bodytree.set_value(body, el.path, past)
    b.add(
        "start-date-in-past",
        f"{el.path} {past}, before now ({b.ctx.now:%m/%d/%Y %H:%M:%S} UTC).",
        b.predict("start-time-in-past"),
        body,
    )


def email_cases(b: CaseBuilder) -> None:
    """An e-mail in mixed case and one with white space; two entries of a repeated group sharing one."""
    emails = b.elements_in_body(lambda e: e.type == "email" and e.gen != "attendee_email")
    if not emails:
        return
    el = emails[0]
    mixed = b.webex.webex_email("mixed_case")
    body = b.body()
    bodytree.set_value(body, el.path, mixed)
    b.add(
        "email-mixed-case", f"{el.path} {mixed}: stored lowercase where documented.", b.predict("email-lowercase"), body
    )

    spaced = b.webex.webex_email("whitespace")
    body = b.body()
    bodytree.set_value(body, el.path, spaced)
    b.add(
        "email-whitespace",
        f"{el.path} {spaced!r} contains white space (exceptionID not documented).",
        b.predict("email-no-whitespace"),
        body,
    )
    _duplicate_case(b)


def _repeated_email_group(spec: ApiSpec) -> tuple[ElementSpec, ElementSpec] | None:
    """The first repeated group (attendee, participant, panelist, contact) holding an e-mail."""
    for el in spec.elements():
        if el.is_group and el.repeated:
            for sub in el.walk():
                if sub.type == "email":
                    return el, sub
    return None


def _duplicate_case(b: CaseBuilder) -> None:
    spec = b.spec
    found = _repeated_email_group(spec)
    if found is None:
        return
    group, email = found
    rel = email.path[len(group.path) + 1 :]
    body = b.body()
    address = b.webex.webex_email("valid")
    if spec.name == "CreateMeetingAttendee":
        # The 001 (40.12.0) WEBEX-15436 sample: person and a second attendee with the same e-mail.
        bodytree.set_value(body, "person/email", address)
        key = body.get("sessionKey")
        body["attendees"] = [{"person": {"email": address, "name": b.webex.person_name()}, "sessionKey": key}]
    else:
        items = bodytree.group_items(body, group.path)
        if not items:
            return
        first = copy.deepcopy(items[0])
        second = copy.deepcopy(items[-1] if len(items) > 1 else items[0])
        bodytree.set_value(first, rel, address)
        bodytree.set_value(second, rel, address)
        # Different names, so a follow-up read shows which entry won.
        for sub in group.walk():
            if sub.gen == "person_name" and bodytree.present(second, sub.path[len(group.path) + 1 :]):
                bodytree.set_value(second, sub.path[len(group.path) + 1 :], b.webex.person_name())
        bodytree.replace_group(body, group.path, [first, second])
    b.add(
        "duplicate-attendee-email",
        f"Two {group.name} entries with the e-mail {address}: only the first "
        "is processed where documented (WEBEX-15436).",
        b.predict("duplicate-email-first-wins"),
        body,
    )


def html_cases(b: CaseBuilder) -> None:
    """HTML with a script, an event handler and an iframe."""
    leaves = b.elements_in_body(lambda e: e.type == "html")
    if not leaves:
        return
    el = leaves[0]
    name = bodytree.local(el.name)
    body = b.body()
    text = _UNSAFE_HTML_TEXT if el.max_length is None else _UNSAFE_HTML_TEXT[: el.max_length]
    bodytree.set_value(body, el.path, text)
    expect = b.predict(
        "unsafe-html-filtered",
        normalised={name: "unsafe-html-filtered"},
        source="000" if b.spec.name == "SetEvent" else "004",
    )
    b.add(f"unsafe-html-{name}", f"{el.path} with <script>, an onerror handler and an <iframe>.", expect, body)


def text_cases(b: CaseBuilder) -> None:
    """XML special characters in a text element; CJK and right-to-left names."""
    leaves = b.elements_in_body(
        lambda e: (
            e.type in ("string", "html")
            and e.value is None
            and e.gen not in ("target_user", "self_or_target_user", "webex_id", "image_base64", "url", "time_zone_name")
        )
    )
    if leaves:
        el = leaves[0]
        body = b.body()
        text = _XML_SPECIAL if el.max_length is None else _XML_SPECIAL[: el.max_length]
        bodytree.set_value(body, el.path, text)
        b.add(
            "xml-special-characters",
            f"{el.path} {text!r}: escaped on the wire, returned unchanged.",
            undocumented(b.requires),
            body,
        )
    names = b.elements_in_body(lambda e: e.gen in ("person_name", "first_name", "last_name"))
    if names:
        body = b.body()
        described: list[str] = []
        # firstName/lastName pairs are CJK (GetUser's display-name rule for Asian characters);
        # full names alternate CJK / right-to-left, and so do the first two items of a list.
        other = {"cjk": "rtl", "rtl": "cjk"}
        toggle = "rtl" if any(e.gen in ("first_name", "last_name") for e in names) else "cjk"
        for el in names[:4]:
            if el.gen == "person_name":
                script, toggle = toggle, other[toggle]
            else:
                script = "cjk"
            steps = bodytree.parts(el.path)
            for i, container in enumerate(list(bodytree.containers(body, steps))[:2]):
                item_script = script if i == 0 else other[script]
                value = _name_value(b, el, item_script)
                container[steps[-1]] = value
                described.append(f"{el.path}={value}")
        note = ""
        if b.spec.service == "user":
            note = " With EnableDisplayName on, GetUser then shows firstName+lastName for Asian characters."
        b.add(
            "non-latin-names",
            "CJK and right-to-left names: " + ", ".join(described) + "." + note,
            undocumented(b.requires),
            body,
        )


def _name_value(b: CaseBuilder, el: ElementSpec, script: str) -> str:
    if el.gen == "person_name":
        return b.webex.person_name(script)
    first, last = b.webex.person_name_parts(script)
    return first if el.gen == "first_name" else last
