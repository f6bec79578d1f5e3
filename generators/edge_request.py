"""Edge-case steps about the request as a whole: its bodyContents, the key that addresses a session,
the required elements, who asks (authentication) and what the meeting's registration form demands.

Each step takes the :class:`generators.edge_builder.CaseBuilder` of one API and adds its cases;
:mod:`generators.edges` runs them in order. Stands on :mod:`generators.edge_builder`,
:mod:`generators.bodytree`, :mod:`generators.outcomes`, :mod:`generators.catalogue`,
:mod:`generators.envelopes` and ``webex.envelope``.
"""

from __future__ import annotations

from webex_harness.generators import bodytree
from webex_harness.generators.catalogue import body_content_sample
from webex_harness.generators.edge_builder import CaseBuilder
from webex_harness.generators.envelopes import DEFAULT_SECURITY
from webex_harness.generators.outcomes import documented, undocumented
from webex_harness.webex.envelope import Security, build_multi_request

__all__ = [
    "BODY_CONTENT_COUNT",
    "auth_cases",
    "body_content_cases",
    "filler_cases",
    "key_cases",
    "registration_case",
    "required_cases",
]

#: bodyContents in ``too-many-body-contents``. The documentation gives no number ("must be less
#: than {number}", 001, 40.4.4); the emulator's default limit is 10 (settings.body_content_limit).
BODY_CONTENT_COUNT = 11


def body_content_cases(b: CaseBuilder) -> None:
    """Too many bodyContents in one request; two (below the limit) for the APIs of 001's sample."""
    spec = b.spec
    bodies = [(spec.service, spec.name, b.body()) for _ in range(BODY_CONTENT_COUNT)]
    b.add(
        "too-many-body-contents",
        f"{BODY_CONTENT_COUNT} bodyContents in one request. The documented limit number is unknown "
        '("must be less than {number}"); the emulator\'s default is 10 (settings.body_content_limit).',
        b.predict("body-content-limit", requires=()),
        envelope=build_multi_request(bodies, b.ctx.security),
    )
    if spec.name in body_content_sample():  # 001, 40.4.4: answered in order below the limit
        bodies = [(spec.service, spec.name, b.body()) for _ in range(2)]
        b.add(
            "body-contents-below-limit",
            "Two bodyContents (below any limit): each is answered, in order.",
            documented("SUCCESS", "001 (40.4.4)", "body-content-limit", requires=b.requires),
            envelope=build_multi_request(bodies, b.ctx.security),
        )


def key_cases(b: CaseBuilder) -> None:
    """The session key missing, addressing nothing, and replaced by the meetingUUID (where 001 says)."""
    spec = b.spec
    if spec.key_path is None or spec.key_kind is None:
        return
    key = spec.element(spec.key_path)
    kind = "session-key" if spec.key_kind == "sessionKey" else "meeting-key"
    if key.required and bodytree.present(b.base, key.path):
        body = b.body()
        bodytree.delete(body, key.path)
        b.add(f"missing-required-{bodytree.local(key.name)}", f"No {key.name} element.", undocumented(), body)
    unknown = b.webex.session_key()
    body = b.body()
    bodytree.set_value(body, key.path, unknown)
    if spec.not_found is not None:
        source = "docs/wire.md X6 (an empty list)" if spec.not_found == "000015" else "docs/wire.md X7"
        expect = documented("FAILURE", source, None, exception_id=spec.not_found)
    else:
        expect = documented("FAILURE", "docs/wire.md X7 (exceptionID not documented for this API)", None)
    b.add(f"unknown-{kind}", f"{key.name} {unknown}, which addresses no session.", expect, body)
    if spec.uuid_accepted and spec.uuid_path is not None:
        body = b.body()
        bodytree.delete(body, key.path)
        uuid = b.ctx.meeting_uuid or b.webex.meeting_uuid()
        bodytree.set_value(body, spec.uuid_path, uuid)
        requires = (*(r for r in b.requires if r != "ctx.session_key"), "ctx.meeting_uuid")
        if spec.is_list:
            requires += ("records exist for that session",)
        b.add(
            "meeting-uuid-instead-of-key",
            f"meetingUUID in place of {key.name}: addresses the same session (001 lists {spec.name}).",
            documented("SUCCESS", f"001 ({spec.uuid_release})", "meeting-uuid-equivalence", requires=requires),
            body,
        )


def required_cases(b: CaseBuilder) -> None:
    """Up to two required elements left out (outside repeated groups and shallow first)."""
    key = b.spec.key_path
    leaves = b.elements_in_body(lambda e: e.required and not e.is_group and e.path != key)
    # Prefer elements outside repeated groups, shallow first (confName before attendee/person/name).
    in_repeated = {el.path for g in b.spec.elements() if g.is_group and g.repeated for el in g.walk()}
    leaves.sort(key=lambda e: (e.path in in_repeated, e.path.count("/")))
    for el in leaves[:2]:
        body = b.body()
        bodytree.delete(body, el.path)
        case_id = f"missing-required-{bodytree.local(el.name)}"
        if b.has_case(case_id):
            case_id = f"missing-required-{el.path.replace('/', '-').replace(':', '-')}"
        b.add(case_id, f"No {el.path} element.", undocumented(b.requires), body)


def registration_case(b: CaseBuilder) -> None:
    """The attendee lacks the title and company the meeting's registration form requires."""
    if "registration-required-fields-040014" not in b.spec.behaviours:
        return
    person = "person" if b.spec.name == "CreateMeetingAttendee" else "attendees/person"
    body = b.body()
    bodytree.delete(body, f"{person}/title")
    bodytree.delete(body, f"{person}/company")
    b.add(
        "registration-form-missing-title-company",
        "The meeting's registration form requires title and company; the attendee has neither.",
        b.predict(
            "registration-required-fields-040014",
            requires=(*b.requires, "session registrationForm requires title,company (only those)"),
        ),
        body,
    )


def auth_cases(b: CaseBuilder) -> None:
    """A request without credentials (where documented, or while the API has few cases), and an
    unknown webExId for the APIs whose not-found answer is 030001."""
    spec = b.spec
    anonymous = Security(site_name=b.ctx.security.site_name or DEFAULT_SECURITY.site_name)
    if "anonymous-lstsummarysession" in spec.behaviours:
        body = b.body()
        bodytree.set_value(body, "sessionKey", b.ctx.session_key or b.webex.session_key())
        b.add(
            "anonymous-request",
            "securityContext with siteName only (the 40.2.0 sample).",
            b.predict("anonymous-lstsummarysession", requires=()),
            body,
            security=anonymous,
        )
    elif "user-card-auth" in spec.behaviours:
        b.add(
            "anonymous-request",
            "securityContext with siteName only: GetUserCard requires authorization.",
            b.predict("user-card-auth", requires=()),
            security=anonymous,
        )
    elif len(b.cases) < 3:
        b.add("anonymous-request", "securityContext with siteName only.", undocumented(), security=anonymous)
    if spec.not_found == "030001":
        body = b.body()
        unknown = f"nouser{b.webex.session_key()}"
        key = "webExID" if "webExID" in body else "webExId"  # GetloginurlUser's pages spell it webExID
        bodytree.set_value(body, key, unknown)
        b.add(
            "unknown-webex-id",
            f"{key} {unknown}, no such user.",
            documented("FAILURE", "docs/wire.md X7", None, exception_id="030001"),
            body,
        )


def filler_cases(b: CaseBuilder) -> None:
    """APIs with few elements still get three cases."""
    if len(b.cases) < 3:
        body = b.body()
        body["undocumentedElement"] = "x"
        b.add("unknown-element", "An element the documentation does not name.", undocumented(b.requires), body)
