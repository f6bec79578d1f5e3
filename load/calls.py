"""What each XML API needs to be called over and over by the ``calls`` load scenario (issue 6).

No locust import: :mod:`load.config` validates an environment file's ``load.calls`` against
:data:`UNSUPPORTED` and the CLI may import this module.

A single call only measures the API when it keeps succeeding. Most APIs address an existing
object, so each user creates what its calls need once, in ``on_start``, and deletes it in
``on_stop``:

* ``needs="meeting"`` — one meeting of the user (registration on, no required form fields, one
  registered attendee), for GetSessionInfo, GetMeeting, SetMeeting, CreateMeetingAttendee …
* ``needs="event"`` / ``"training"`` / ``"teleconference"`` — one session of that kind.
* ``needs=None`` — nothing: GetMe, GetSite, the list APIs over what the user has.

APIs that create something (``creates=``) put the new key on the user's clean-up list.

The envelopes are generated at locust ``init`` by :func:`generators.envelopes.valid_envelope`
with :data:`KEY_MARKER` in place of the key; a user splices its own key in as bytes
(:meth:`CallTemplate.with_key`), so nothing is built in the request loop.

Refused (:data:`UNSUPPORTED`, each with why): APIs that delete what they address (a repeat
fails — the ``lifecycle`` scenario deletes), that change site users, that need objects a load
user cannot make (recordings, scheduled tests, sessions in progress) or that leave objects no
API deletes (contacts, distribution lists). Measured against the emulator's default site (``load/calls.py``
probe in the issue 6 work): every supported API answers SUCCESS for seeds 1–8 in this setup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from webex_harness.client.kinds import DELETES, creator_of
from webex_harness.generators.catalogue import api as catalogue_api
from webex_harness.generators.catalogue import xml_api_names
from webex_harness.generators.envelopes import GenContext, faker_for, valid_body
from webex_harness.webex.envelope import Security, build_request

__all__ = [
    "KEY_MARKER",
    "SESSION_CREATORS",
    "UNSUPPORTED",
    "CallPlan",
    "CallTemplate",
    "call_plan",
    "call_templates",
    "response_key",
    "supported_calls",
]

#: Stands in for the session key in generated envelopes (replaced by bytes per user).
KEY_MARKER = "__WXH_SESSION_KEY__"
#: How many differently-seeded envelopes each API gets (variety without per-request work).
VARIANTS = 8
#: The attendee every user registers on its meeting (GetEnrollmentInfo lists enrolled attendees).
REGISTERED_EMAIL = "wxh.load.attendee@example.com"

#: The API that creates a session of each kind ``needs`` may name (from the kinds table, client/kinds.py).
SESSION_CREATORS: dict[str, str] = {
    kind: creator_of(kind) for kind in ("meeting", "event", "training", "teleconference")
}

_KIND_OF_SERVICE = {
    "meeting": "meeting",
    "attendee": "meeting",
    "ep": "meeting",
    "event": "event",
    "training": "training",
    "teleconference": "teleconference",
}

_DELETES = "deletes what it addresses, so a repeated call fails: the lifecycle scenario deletes meetings"
#: Catalogued APIs the calls scenario refuses, and why (an environment file naming one is an error).
UNSUPPORTED: dict[str, str] = {
    **{api: _DELETES for api in DELETES},  # every delete API of the kinds table (client/kinds.py) …
    "DelUser": "deletes site users (destructive)",  # … DelUser for its own reason
    "CreateUser": "creates site users that a load run does not delete (destructive)",
    "SetUser": "changes site users, the load user's own credentials included (destructive)",
    "AddScheduledTest": "needs a test of a training session, which a load user cannot set up",
    "SetScheduledTest": "needs a scheduled test of a training session, which a load user cannot set up",
    "LstScheduledTests": "needs a scheduled test of a training session, which a load user cannot set up",
    "GetTestInformation": "needs a scheduled test of a training session, which a load user cannot set up",
    "LstOpenSession": "needs a session in progress, which only a started meeting (or an emulator control) gives",
    "SetRecordingInfo": "needs a recording, which a load user cannot make",
    "LstrecordaccessDetailHistory": "needs a recording by its ID, which a load user cannot make",
    "GetRecordingInfo": "needs a recording by its ID, which a load user cannot make",
    "DelRecording": "deletes a recording, which a load user cannot make (a real site's are its users' own)",
    "SetupOneClickSettings": "changes the load user's own One-Click settings, which a load run does not set back",
    "SetOneClickSettings": "changes the load user's own One-Click settings, which a load run does not set back",
    "UploadPMRImage": "replaces the load user's Personal Meeting Room image, which no API removes",
    "DetectSessionByCallback": "only a site administrator may ask, and a load user is a host",
    "CreateContact": "creates contacts that no API deletes",
    "SetContact": "needs a contact, and no API deletes the contacts a load run would create",
    "CreateContacts": "creates contacts that no API deletes",
    "LstContact": "needs a distribution list of contacts, and no API deletes the ones a load run would create",
    "CreateDistList": "creates distribution lists that no API deletes",
    "LstDistList": "needs a distribution list, and no API deletes the ones a load run would create",
    "SetDistList": "needs a distribution list, and no API deletes the ones a load run would create",
    "SendInvitationEmail": "sends e-mail from the site to the event's invitees",
    "GetLabSchedule": "needs the name of one of the site's Hands-on Labs, which a load user is not given",
    "CheckLabAvailability": "needs the name of one of the site's Hands-on Labs, which a load user is not given",
    "ReserveLab": "reserves lab computers, and no API cancels a lab reservation",
    "GetFeedbackInfo": "needs the conference ID of a support session, which a load user does not look up",
    "UploadIMStest": "adds a test to the user's library on every call, which the calls scenario does not delete",
    "CopyLibTests": "needs a library test and adds a copy on every call, which the calls scenario does not delete",
    "LstLibTests": "answers 000015 unless the user's test library holds a test, which a load user does not set up",
    "GetIMStestDetails": "needs a library test by its ID, which a load user does not set up",
    "GetIMStestResult": "needs a participant's answers to a library test, which only a participant gives",
}

#: Body sections dropped from generated envelopes: SetMeeting's generated registrationForm would
#: give the user's meeting required fields, and its attendee calls would then (rightly) fail 040014.
_STRIP: dict[str, tuple[str, ...]] = {"SetMeeting": ("registrationForm",)}

_KEY_RE = re.compile(rb"<(?:\w+:)?(?:meetingkey|sessionKey|sessionkey)>\s*([^<\s]+)\s*<", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CallPlan:
    """How the calls scenario runs one API."""

    api: str
    service: str
    #: The session kind the API addresses (``meeting``, ``event`` …), or None.
    needs: str | None
    #: The session kind a SUCCESS creates (its key is deleted in on_stop), or None.
    creates: str | None


@dataclass(frozen=True, slots=True)
class CallTemplate:
    """One pre-generated envelope, split where the session key goes."""

    api: str
    parts: tuple[bytes, ...]

    def with_key(self, key: bytes) -> bytes:
        """The envelope for ``key`` (as received in a response: already XML-escaped)."""
        return key.join(self.parts)


def supported_calls() -> list[str]:
    """Every catalogued API the calls scenario runs."""
    return [name for name in xml_api_names() if name not in UNSUPPORTED]


def call_plan(api_name: str) -> CallPlan:
    """The plan of ``api_name``; :class:`KeyError` (unknown) or :class:`ValueError` (refused, why)."""
    spec = catalogue_api(api_name)  # KeyError for an API the catalogue does not know
    if api_name in UNSUPPORTED:
        raise ValueError(f"{api_name} {UNSUPPORTED[api_name]}")
    needs = None
    if spec.key_path is not None and spec.element(spec.key_path).in_valid:
        needs = _KIND_OF_SERVICE.get(spec.service, "meeting")
    creates = next((kind for kind, creator in SESSION_CREATORS.items() if creator == api_name), None)
    if api_name == "CreateSupportSession":
        creates = "support"
    return CallPlan(api=api_name, service=spec.service, needs=needs, creates=creates)


def call_templates(api_name: str, security: Security, now: datetime, variants: int = VARIANTS) -> list[CallTemplate]:
    """``variants`` envelopes of ``api_name`` (seeds 1…n), keyed by :data:`KEY_MARKER`.

    ``now`` is the reference of generated dates (1–30 days after it); the caller's own webExID
    stands in for "another user" (GetUser, GetUserCard, LstAccessAnywhereHistory).
    """
    plan = call_plan(api_name)
    spec = catalogue_api(api_name)
    ctx = GenContext(
        now=now,
        security=security,
        session_key=KEY_MARKER if plan.needs else None,
        webex_id_target=security.webex_id,
        attendee_email=REGISTERED_EMAIL,
    )
    marker = KEY_MARKER.encode()
    templates = []
    for seed in range(1, variants + 1):
        body = valid_body(spec, faker_for(seed), ctx)
        for section in _STRIP.get(api_name, ()):
            body.pop(section, None)
        envelope = build_request(spec.service, spec.name, body, security)
        templates.append(CallTemplate(api_name, tuple(envelope.split(marker))))
    return templates


def response_key(content: bytes | None) -> bytes | None:
    """The meeting or session key in a Create* response."""
    found = _KEY_RE.search(content or b"")
    return found.group(1) if found else None
