"""Field rules of the REST meetings body that tie one field to another or to the site (003 "Update a
Meeting"; Create takes the same body):

* ``rest-webinar-only-options``: ``meetingOptions.enabledPolling`` and
  ``audioConnectionOptions.enabledAudienceCallBack`` "can only be set true for a webinar" — true on
  a meeting (or a personal-room meeting) is refused with 400; false is always accepted.
* ``rest-connect-audio-before-host``: ``enableConnectAudioBeforeHost`` "is only applicable if the
  ``enabledJoinBeforeHost`` attribute is set to true" — true without join-before-host is refused;
  switching join-before-host off switches connect-audio-before-host off with it.
* ``rest-password-complexity``: ``password`` and ``panelistPassword`` "must conform to the site's
  password complexity settings". The emulated site has Webex's strict meeting-password criteria
  switched on (they cannot be switched off on a Webex site): see :func:`password_problem`.
* ``rest-send-email-type``: ``sendEmail`` is a boolean (default true); another JSON type is refused.
  It only decides whether e-mails go out, so it is never stored.

Each rule checks its fault here, where it is honoured. Stands on :mod:`emulator.model` (the site),
:mod:`emulator.faults` and :mod:`emulator.rest.errors`.
"""

from __future__ import annotations

from typing import Any

from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site
from webex_harness.emulator.rest.errors import bad

WEBINAR_ONLY = declare(
    "rest-webinar-only-options", "accepts enabledPolling and enabledAudienceCallBack set true for a meeting"
)
CONNECT_AUDIO = declare(
    "rest-connect-audio-before-host", "accepts enableConnectAudioBeforeHost true without enabledJoinBeforeHost"
)
PASSWORD_COMPLEXITY = declare(
    "rest-password-complexity", "accepts meeting and panelist passwords that break the site's complexity rules"
)
SEND_EMAIL_TYPE = declare("rest-send-email-type", "accepts any JSON value for sendEmail")

#: the options only a webinar may switch on: (object, flag)
WEBINAR_ONLY_FLAGS = (("meetingOptions", "enabledPolling"), ("audioConnectionOptions", "enabledAudienceCallBack"))

#: The emulated site's strict meeting-password criteria. Webex Site Administration's defaults
#: ("Require strict passwords for meetings") ask for a letter and a digit; a minimum length of 8,
#: mixed case and no spaces are switched on here too (guess: the passwords Webex generates and
#: 003's samples all are). A real site's criteria may differ: contracts only send passwords that
#: break several criteria at once.
PASSWORD_MIN_LENGTH = 8


def password_problem(password: str) -> str | None:
    """Why ``password`` breaks the site's meeting-password criteria, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"it must be at least {PASSWORD_MIN_LENGTH} characters long"
    if any(c.isspace() for c in password):
        return "it cannot contain spaces"
    if not any(c.isdigit() for c in password):
        return "it must contain at least one digit"
    if not any(c.isalpha() for c in password):
        return "it must contain at least one letter"
    if not (any(c.isupper() for c in password) and any(c.islower() for c in password)):
        return "it must mix upper- and lower-case letters"
    return None


def check_password(site: Site, name: str, password: str) -> None:
    """Behaviour ``rest-password-complexity``; an empty password is the caller's rule."""
    if not password or site.fault(PASSWORD_COMPLEXITY):
        return
    problem = password_problem(password)
    if problem is not None:
        raise bad(f"{name} does not conform to the site's password complexity settings: {problem}.")


def check_send_email(site: Site, body: dict[str, Any]) -> None:
    """Behaviour ``rest-send-email-type``: ``sendEmail``, when sent (not null), is a boolean."""
    value = body.get("sendEmail")
    if value is None or isinstance(value, bool) or site.fault(SEND_EMAIL_TYPE):
        return
    raise bad(f"Invalid value for sendEmail: expected a boolean, got {type(value).__name__} {value!r}"[:300])


def check_webinar_only(site: Site, scheduled_type: str, fields: dict[str, Any]) -> None:
    """Behaviour ``rest-webinar-only-options``."""
    if scheduled_type == "webinar" or site.fault(WEBINAR_ONLY):
        return
    for group, flag in WEBINAR_ONLY_FLAGS:
        if fields.get(group, {}).get(flag) is True:
            raise bad(f"{group}.{flag} can only be set true for a webinar.")


def apply_connect_audio(site: Site, props: dict[str, Any], fields: dict[str, Any]) -> None:
    """Behaviour ``rest-connect-audio-before-host``: checks ``fields`` against what ``props`` has and
    switches connect-audio-before-host off with join-before-host (in ``fields``, before the merge)."""
    if site.fault(CONNECT_AUDIO):
        return
    jbh = fields.get("enabledJoinBeforeHost", props.get("enabledJoinBeforeHost", False))
    if jbh:
        return
    if fields.get("enableConnectAudioBeforeHost") is True:
        raise bad("enableConnectAudioBeforeHost is only applicable if enabledJoinBeforeHost is true.")
    fields["enableConnectAudioBeforeHost"] = False


__all__ = [
    "PASSWORD_MIN_LENGTH",
    "WEBINAR_ONLY_FLAGS",
    "apply_connect_audio",
    "check_password",
    "check_send_email",
    "check_webinar_only",
    "password_problem",
]
