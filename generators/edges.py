"""Edge-case envelopes for every catalogued XML API, each with the outcome the docs predict.

An :class:`EdgeCase` is a named variation of the API's valid envelope (same seed, same context)
with an :class:`Expect`. Outcomes are predicted **only where the documentation says** (the seeds,
or docs/wire.md X6/X7 for the exception IDs clients branch on); everything else is ``undocumented``:
reported by the contract suites, never asserted. :func:`documented_cases` lists the asserted ones.

Which APIs a behaviour's prediction applies to is the catalogue's ``behaviours:`` of each API
(``spec.behaviours``), never a list kept here.

``Expect.requires`` names the preconditions a prediction needs (``ctx.session_key``: the context
must point at an existing session; ``site.consistent_locked_lobby``: a site toggle …).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from generators.catalogue import ApiSpec, ElementSpec, all_apis, api, body_content_sample
from generators.envelopes import DEFAULT_SECURITY, GenContext, faker_for, valid_body_with_state
from webex.envelope import Security, build_multi_request, build_request

__all__ = [
    "BODY_CONTENT_COUNT",
    "EdgeCase",
    "Expect",
    "documented_cases",
    "edge_cases",
]

#: bodyContents in ``too-many-body-contents``. The documentation gives no number ("must be less
#: than {number}", 001, 40.4.4); the emulator's default limit is 10 (settings.body_content_limit).
BODY_CONTENT_COUNT = 11

_UNDOC = "undocumented in the seeds"

_XML_SPECIAL = "R&D <Q4> \"review\" & 'plan' </bodyContent>"
_UNSAFE_HTML_TEXT = (
    "<b>Agenda</b><script>alert('x')</script><img src=x onerror=alert(1)><iframe src=//e.example></iframe>"
)


@dataclass(frozen=True, slots=True)
class Expect:
    """The predicted outcome of an edge case.

    ``result``: ``SUCCESS`` | ``FAILURE`` | ``HTTP`` (a non-200 answer, ``http_status``) |
    ``undocumented`` (report, do not assert). ``exception_id`` ``None`` with ``FAILURE`` means
    "any FAILURE" (the documentation does not name the ID). ``normalised`` says what the site
    stores instead of what was sent (``{"email": "lowercase"}``). ``value`` is the documented
    ``serv:value``. ``source`` is the seed and release; ``behaviour`` the ID of webex/behaviours.yaml.
    """

    result: str
    exception_id: str | None = None
    http_status: int | None = None
    normalised: dict[str, str] = field(default_factory=dict)
    source: str = _UNDOC
    behaviour: str | None = None
    value: str | None = None
    requires: tuple[str, ...] = ()

    @property
    def documented(self) -> bool:
        return self.result != "undocumented"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["requires"] = list(self.requires)
        return data


@dataclass(frozen=True, slots=True)
class EdgeCase:
    """One named edge case of one API: the envelope to send and the outcome to expect."""

    id: str
    api: str
    description: str
    expect: Expect
    envelope: bytes


# -- body-tree helpers -------------------------------------------------------------------------


def _parts(path: str) -> list[str]:
    return path.split("/")


def _containers(node: Any, parts: list[str]) -> Iterator[dict[str, Any]]:
    """Every mapping that holds the last element of ``parts`` (lists are walked item by item)."""
    if isinstance(node, list):
        for item in node:
            yield from _containers(item, parts)
        return
    if not isinstance(node, dict):
        return
    if len(parts) == 1:
        if parts[0] in node:
            yield node
        return
    if parts[0] in node:
        yield from _containers(node[parts[0]], parts[1:])


def _present(body: dict[str, Any], path: str) -> bool:
    return any(True for _ in _containers(body, _parts(path)))


def _set(body: dict[str, Any], path: str, value: Any, *, every: bool = False) -> None:
    """Set the (first, or every) element at ``path``; create missing groups on the way."""
    parts = _parts(path)
    found = list(_containers(body, parts))
    if not found:
        node = body
        for part in parts[:-1]:
            nxt = node.get(part)
            if isinstance(nxt, list):
                nxt = nxt[0] if nxt else {}
            if not isinstance(nxt, dict):
                nxt = {}
                node[part] = nxt
            node = nxt
        found = [node]
    for container in found if every else found[:1]:
        current = container.get(parts[-1])
        if isinstance(current, list) and current and not isinstance(value, list):
            current[0] = value
        else:
            container[parts[-1]] = value


def _delete(body: dict[str, Any], path: str) -> None:
    for container in list(_containers(body, _parts(path))):
        container.pop(_parts(path)[-1], None)


def _first(body: dict[str, Any], path: str) -> Any:
    for container in _containers(body, _parts(path)):
        value = container[_parts(path)[-1]]
        return value[0] if isinstance(value, list) and value else value
    return None


def _local(name: str) -> str:
    return name.split(":", 1)[-1]


def _fit(text: str, length: int) -> str:
    """``text`` repeated and cut to exactly ``length`` characters (no trailing space)."""
    out = (text * (length // max(len(text), 1) + 1))[:length]
    return out if not out.endswith(" ") else out[:-1] + "x"


# -- building ----------------------------------------------------------------------------------


class _Builder:
    """Collects the cases of one API; every case starts from a fresh copy of the valid body."""

    def __init__(self, spec: ApiSpec, seed: int, ctx: GenContext) -> None:
        self.spec = spec
        self.seed = seed
        self.ctx = ctx
        self.fake = faker_for(seed)
        # Values the cases add (unknown keys, names …) come from the same seeded stream, after
        # the valid body: the order of the steps below is part of the determinism.
        self.base, self.state = valid_body_with_state(spec, self.fake, ctx)
        self.cases: list[EdgeCase] = []
        self.requires = context_requirements(spec, ctx)

    def body(self) -> dict[str, Any]:
        return copy.deepcopy(self.base)

    def add(
        self,
        case_id: str,
        description: str,
        expect: Expect,
        body: dict[str, Any] | None = None,
        *,
        security: Security | None = None,
        envelope: bytes | None = None,
    ) -> None:
        if any(c.id == case_id for c in self.cases):
            raise ValueError(f"{self.spec.name}: duplicate edge case id {case_id!r}")
        if envelope is None:
            body = self._unique(self.body() if body is None else body, len(self.cases) + 1)
            envelope = build_request(self.spec.service, self.spec.name, body, security or self.ctx.security)
        self.cases.append(EdgeCase(case_id, self.spec.name, description, expect, envelope))

    def _unique(self, body: dict[str, Any], index: int) -> dict[str, Any]:
        """Cases of an API that creates users get their own webExId and e-mail (unless the case
        is about them), so sending every case of a seed does not fail on a duplicate user."""
        ids = [el for el in self.spec.elements() if el.gen == "webex_id"]
        if not ids:
            return body
        for el in ids:
            for container in _containers(body, _parts(el.path)):
                value = container[el.name]
                if isinstance(value, str) and value == _first(self.base, el.path):
                    container[el.name] = f"{value[:58]}e{index}"
        for container in _containers(body, ["email"]):
            value = container["email"]
            if isinstance(value, str) and value == self.base.get("email") and "@" in value:
                local, _, domain = value.partition("@")
                container["email"] = f"{local}.e{index}@{domain}"
        return body

    def elements_in_body(self, predicate: Callable[[ElementSpec], bool]) -> list[ElementSpec]:
        return [el for el in self.spec.elements() if predicate(el) and _present(self.base, el.path)]


def context_requirements(spec: ApiSpec, ctx: GenContext) -> tuple[str, ...]:
    """The context placeholders the valid body needs to address existing objects."""
    needs: list[str] = []
    gens = {el.gen for el in spec.elements() if el.in_valid}
    if spec.key_path is not None and spec.element(spec.key_path).in_valid:
        needs.append("ctx.session_key")
    if "target_user" in gens or "self_or_target_user" in gens:
        needs.append("ctx.webex_id_target" if "target_user" in gens else "ctx.webex_id_target or the caller")
    for gen, name in (("attendee_email", "ctx.attendee_email"), ("recording_id", "ctx.recording_id"),
                      ("contact_id", "ctx.contact_id"), ("test_id", "ctx.test_id")):
        if gen in gens:
            needs.append(name)
    return tuple(needs)


def _doc(result: str, source: str, behaviour: str | None, **kw: Any) -> Expect:
    return Expect(result=result, source=source, behaviour=behaviour, **kw)


def _undocumented(requires: tuple[str, ...] = ()) -> Expect:
    return Expect(result="undocumented", requires=requires)


def _body_content_cases(b: _Builder) -> None:
    spec = b.spec
    bodies = [(spec.service, spec.name, b.body()) for _ in range(BODY_CONTENT_COUNT)]
    b.add(
        "too-many-body-contents",
        f"{BODY_CONTENT_COUNT} bodyContents in one request. The documented limit number is unknown "
        "(\"must be less than {number}\"); the emulator's default is 10 (settings.body_content_limit).",
        _doc("FAILURE", "001 (40.4.4)", "body-content-limit", exception_id="000053"),
        envelope=build_multi_request(bodies, b.ctx.security),
    )
    if spec.name in body_content_sample():  # 001, 40.4.4: answered in order below the limit
        bodies = [(spec.service, spec.name, b.body()) for _ in range(2)]
        b.add(
            "body-contents-below-limit",
            "Two bodyContents (below any limit): each is answered, in order.",
            _doc("SUCCESS", "001 (40.4.4)", "body-content-limit", requires=b.requires),
            envelope=build_multi_request(bodies, b.ctx.security),
        )


def _key_cases(b: _Builder) -> None:
    spec = b.spec
    if spec.key_path is None or spec.key_kind is None:
        return
    key = spec.element(spec.key_path)
    kind = "session-key" if spec.key_kind == "sessionKey" else "meeting-key"
    if key.required and _present(b.base, key.path):
        body = b.body()
        _delete(body, key.path)
        b.add(f"missing-required-{_local(key.name)}", f"No {key.name} element.", _undocumented(), body)
    unknown = b.fake.session_key()
    body = b.body()
    _set(body, key.path, unknown)
    if spec.not_found is not None:
        source = "docs/wire.md X6 (an empty list)" if spec.not_found == "000015" else "docs/wire.md X7"
        expect = _doc("FAILURE", source, None, exception_id=spec.not_found)
    else:
        expect = _doc("FAILURE", "docs/wire.md X7 (exceptionID not documented for this API)", None)
    b.add(f"unknown-{kind}", f"{key.name} {unknown}, which addresses no session.", expect, body)
    if spec.uuid_accepted and spec.uuid_path is not None:
        body = b.body()
        _delete(body, key.path)
        uuid = b.ctx.meeting_uuid or b.fake.meeting_uuid()
        _set(body, spec.uuid_path, uuid)
        requires = (*(r for r in b.requires if r != "ctx.session_key"), "ctx.meeting_uuid")
        if spec.is_list:
            requires += ("records exist for that session",)
        b.add(
            "meeting-uuid-instead-of-key",
            f"meetingUUID in place of {key.name}: addresses the same session (001 lists {spec.name}).",
            _doc("SUCCESS", f"001 ({spec.uuid_release})", "meeting-uuid-equivalence", requires=requires),
            body,
        )


def _required_cases(b: _Builder) -> None:
    key = b.spec.key_path
    leaves = b.elements_in_body(lambda e: e.required and not e.is_group and e.path != key)
    # Prefer elements outside repeated groups, shallow first (confName before attendee/person/name).
    in_repeated = {el.path for g in b.spec.elements() if g.is_group and g.repeated for el in g.walk()}
    leaves.sort(key=lambda e: (e.path in in_repeated, e.path.count("/")))
    for el in leaves[:2]:
        body = b.body()
        _delete(body, el.path)
        case_id = f"missing-required-{_local(el.name)}"
        if any(c.id == case_id for c in b.cases):
            case_id = f"missing-required-{el.path.replace('/', '-').replace(':', '-')}"
        b.add(case_id, f"No {el.path} element.", _undocumented(b.requires), body)


def _length_cases(b: _Builder) -> None:
    leaves = b.elements_in_body(
        lambda e: e.type in ("string", "html") and e.max_length is not None and e.value is None
        and e.gen not in ("target_user", "self_or_target_user", "image_base64")
    )
    done: set[str] = set()
    for el in leaves:
        name = _local(el.name)
        if name in done or len(done) == 2:
            continue
        done.add(name)
        assert el.max_length is not None
        for suffix, length in (("at-max-length", el.max_length), ("one-past-max", el.max_length + 1)):
            body = b.body()
            _set(body, el.path, _fit("Probe length ", length))
            b.add(
                f"{name}-{suffix}",
                f"{el.path} of {length} characters (limit {el.max_length}: public XML API reference, "
                "not the seeds).",
                _undocumented(b.requires),
                body,
            )


def _enum_cases(b: _Builder) -> None:
    # the locked-lobby APIs that send the option (GetMeeting only reports it)
    lobby = "locked-lobby" in b.spec.behaviours and b.spec.has_element("attendeeOptions/autoLockWaitTime")
    leaves = b.elements_in_body(lambda e: e.type == "enum" and not e.repeated)
    for el in [e for e in leaves if not (lobby and e.name == "autoLockWaitTime")][:1]:
        body = b.body()
        _set(body, el.path, "NOT_A_VALID_VALUE")
        b.add(f"invalid-enum-{_local(el.name)}", f"{el.path} outside {', '.join(el.enum)}.",
              _undocumented(b.requires), body)
    if lobby:
        body = b.body()
        _set(body, "attendeeOptions/autoLockWaitTime", 7)
        b.add(
            "autoLockWaitTime-not-in-list",
            "autoLockWaitTime 7: the documented values are 0, 5, 10, 15, 20 "
            "(behaviour locked-lobby: others are rejected; exceptionID not documented).",
            _doc("FAILURE", "001 (40.9.0)", "locked-lobby",
                 requires=(*b.requires, "site.consistent_locked_lobby")),
            body,
        )


def _date_cases(b: _Builder) -> None:
    dates = b.elements_in_body(lambda e: e.type == "date" and e.name == "startDate")
    if not dates:
        return
    el = dates[0]
    past = b.fake.webex_date(b.ctx.now, -30, -2)
    body = b.body()
    _set(body, el.path, past)
    if "start-time-in-past" in b.spec.behaviours:
        expect = _doc("FAILURE", "001 (40.2.0)", "start-time-in-past", exception_id="060016",
                      requires=b.requires)
    else:
        expect = _undocumented(b.requires)
    b.add("start-date-in-past", f"{el.path} {past}, before now ({b.ctx.now:%m/%d/%Y %H:%M:%S} UTC).", expect, body)


def _email_cases(b: _Builder) -> None:
    spec = b.spec
    emails = b.elements_in_body(lambda e: e.type == "email" and e.gen != "attendee_email")
    if not emails:
        return
    el = emails[0]
    mixed = b.fake.email("mixed_case")
    body = b.body()
    _set(body, el.path, mixed)
    if "email-lowercase" in spec.behaviours:
        expect = _doc("SUCCESS", "000, 004, 001", "email-lowercase", normalised={"email": "lowercase"},
                      requires=b.requires)
    else:
        expect = _undocumented(b.requires)
    b.add("email-mixed-case", f"{el.path} {mixed}: stored lowercase where documented.", expect, body)

    spaced = b.fake.email("whitespace")
    body = b.body()
    _set(body, el.path, spaced)
    if "email-no-whitespace" in spec.behaviours:
        expect = _doc("FAILURE", "001 (40.8.0)", "email-no-whitespace", requires=b.requires)
    else:
        expect = _undocumented(b.requires)
    b.add("email-whitespace", f"{el.path} {spaced!r} contains white space (exceptionID not documented).",
          expect, body)
    _duplicate_case(b)


def _repeated_email_group(spec: ApiSpec) -> tuple[ElementSpec, ElementSpec] | None:
    """The first repeated group (attendee, participant, panelist, contact) holding an e-mail."""
    for el in spec.elements():
        if el.is_group and el.repeated:
            for sub in el.walk():
                if sub.type == "email":
                    return el, sub
    return None


def _duplicate_case(b: _Builder) -> None:
    spec = b.spec
    found = _repeated_email_group(spec)
    if found is None:
        return
    group, email = found
    rel = email.path[len(group.path) + 1:]
    body = b.body()
    address = b.fake.email("valid")
    if spec.name == "CreateMeetingAttendee":
        # The 001 (40.12.0) WEBEX-15436 sample: person and a second attendee with the same e-mail.
        _set(body, "person/email", address)
        key = body.get("sessionKey")
        body["attendees"] = [{"person": {"email": address, "name": b.fake.person_name()}, "sessionKey": key}]
    else:
        items = _group_items(body, group.path)
        if not items:
            return
        first = copy.deepcopy(items[0])
        second = copy.deepcopy(items[-1] if len(items) > 1 else items[0])
        _set(first, rel, address)
        _set(second, rel, address)
        # Different names, so a follow-up read shows which entry won.
        for sub in group.walk():
            if sub.gen == "person_name" and _present(second, sub.path[len(group.path) + 1:]):
                _set(second, sub.path[len(group.path) + 1:], b.fake.person_name())
        _replace_group(body, group.path, [first, second])
    if "duplicate-email-first-wins" in spec.behaviours:
        expect = _doc("SUCCESS", "001 (40.12.0)", "duplicate-email-first-wins",
                      normalised={"attendees": "first-wins"}, requires=b.requires)
    else:
        expect = _undocumented(b.requires)
    b.add("duplicate-attendee-email", f"Two {group.name} entries with the e-mail {address}: only the first "
          "is processed where documented (WEBEX-15436).", expect, body)


def _group_items(body: dict[str, Any], path: str) -> list[Any]:
    parts = _parts(path)
    for container in _containers(body, parts):
        value = container.get(parts[-1])
        if isinstance(value, list) and value:
            return value
    return []


def _replace_group(body: dict[str, Any], path: str, items: list[Any]) -> None:
    parts = _parts(path)
    for container in _containers(body, parts):
        container[parts[-1]] = items
        return


def _html_cases(b: _Builder) -> None:
    leaves = b.elements_in_body(lambda e: e.type == "html")
    if not leaves:
        return
    el = leaves[0]
    name = _local(el.name)
    body = b.body()
    text = _UNSAFE_HTML_TEXT if el.max_length is None else _UNSAFE_HTML_TEXT[: el.max_length]
    _set(body, el.path, text)
    if "unsafe-html-filtered" in b.spec.behaviours:
        source = "000" if b.spec.name == "SetEvent" else "004"
        expect = _doc("SUCCESS", source, "unsafe-html-filtered", normalised={name: "unsafe-html-filtered"},
                      requires=b.requires)
    else:
        expect = _undocumented(b.requires)
    b.add(f"unsafe-html-{name}", f"{el.path} with <script>, an onerror handler and an <iframe>.", expect, body)


def _text_cases(b: _Builder) -> None:
    leaves = b.elements_in_body(
        lambda e: e.type in ("string", "html") and e.value is None and e.gen not in
        ("target_user", "self_or_target_user", "webex_id", "image_base64", "url", "time_zone_name")
    )
    if leaves:
        el = leaves[0]
        body = b.body()
        text = _XML_SPECIAL if el.max_length is None else _XML_SPECIAL[: el.max_length]
        _set(body, el.path, text)
        b.add("xml-special-characters", f"{el.path} {text!r}: escaped on the wire, returned unchanged.",
              _undocumented(b.requires), body)
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
            parts = _parts(el.path)
            for i, container in enumerate(list(_containers(body, parts))[:2]):
                item_script = script if i == 0 else other[script]
                value = _name_value(b, el, item_script)
                container[parts[-1]] = value
                described.append(f"{el.path}={value}")
        note = ""
        if b.spec.service == "user":
            note = " With EnableDisplayName on, GetUser then shows firstName+lastName for Asian characters."
        b.add("non-latin-names", "CJK and right-to-left names: " + ", ".join(described) + "." + note,
              _undocumented(b.requires), body)


def _name_value(b: _Builder, el: ElementSpec, script: str) -> str:
    if el.gen == "person_name":
        return b.fake.person_name(script)
    first, last = b.fake.person_name_parts(script)
    return first if el.gen == "first_name" else last


def _auth_cases(b: _Builder) -> None:
    spec = b.spec
    anonymous = Security(site_name=b.ctx.security.site_name or DEFAULT_SECURITY.site_name)
    if spec.name == "LstsummarySession":
        body = b.body()
        _set(body, "sessionKey", b.ctx.session_key or b.fake.session_key())
        b.add("anonymous-request", "securityContext with siteName only (the 40.2.0 sample).",
              _doc("FAILURE", "001 (40.2.0)", "anonymous-lstsummarysession", exception_id="000015"),
              body, security=anonymous)
    elif spec.name == "GetUserCard":
        b.add("anonymous-request", "securityContext with siteName only: GetUserCard requires authorization.",
              _doc("FAILURE", "001 (40.9.0)", "user-card-auth"), security=anonymous)
    elif len(b.cases) < 3:
        b.add("anonymous-request", "securityContext with siteName only.", _undocumented(), security=anonymous)
    if spec.not_found == "030001":
        body = b.body()
        unknown = f"nouser{b.fake.session_key()}"
        _set(body, "webExId", unknown)
        b.add("unknown-webex-id", f"webExId {unknown}, no such user.",
              _doc("FAILURE", "docs/wire.md X7", None, exception_id="030001"), body)


def _registration_case(b: _Builder) -> None:
    if "registration-required-fields-040014" not in b.spec.behaviours:
        return
    person = "person" if b.spec.name == "CreateMeetingAttendee" else "attendees/person"
    body = b.body()
    _delete(body, f"{person}/title")
    _delete(body, f"{person}/company")
    b.add(
        "registration-form-missing-title-company",
        "The meeting's registration form requires title and company; the attendee has neither.",
        _doc("FAILURE", "001 (40.8.0)", "registration-required-fields-040014", exception_id="040014",
             value="title,company",
             requires=(*b.requires, "session registrationForm requires title,company (only those)")),
        body,
    )


def _filler_cases(b: _Builder) -> None:
    """APIs with few elements still get three cases."""
    if len(b.cases) < 3:
        body = b.body()
        body["undocumentedElement"] = "x"
        b.add("unknown-element", "An element the documentation does not name.", _undocumented(b.requires), body)


_STEPS: tuple[Callable[[_Builder], None], ...] = (
    _body_content_cases,
    _key_cases,
    _required_cases,
    _length_cases,
    _enum_cases,
    _date_cases,
    _email_cases,
    _html_cases,
    _text_cases,
    _registration_case,
    _auth_cases,
    _filler_cases,
)


def edge_cases(api_name: str, seed: int, ctx: GenContext | None = None) -> list[EdgeCase]:
    """The edge cases of ``api_name`` (at least three, unique ids), deterministic for ``seed`` and
    ``ctx``: each starts from the valid body of :func:`generators.envelopes.valid_envelope`."""
    spec = api(api_name)
    builder = _Builder(spec, seed, ctx or GenContext())
    for step in _STEPS:
        step(builder)
    return builder.cases


def documented_cases(seed: int = 0, ctx: GenContext | None = None) -> list[tuple[str, str, Expect]]:
    """``(api, case id, expect)`` for every edge case whose outcome the documentation predicts."""
    return [
        (case.api, case.id, case.expect)
        for spec in all_apis()
        for case in edge_cases(spec.name, seed, ctx)
        if case.expect.documented
    ]
