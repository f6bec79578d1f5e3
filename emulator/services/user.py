"""User service (``java:com.webex.service.binding.user.*``): users of a site, their privileges,
PMR, options, and the user card — reading each request, calling the rules of
:mod:`emulator.services.user_rules`, and shaping the answer.

Users live in :attr:`emulator.model.Site.users`. Request elements follow the 001 samples
(``webExId`` spelling, ``privilege/*``, ``languageID``/``language``, ``sendWelcome``,
``isHTMLEmail``); where the seeds are silent (response bodies of CreateUser, GetUser, GetMe,
LstsummaryUser; the ``isEnablePMR`` privilege) they follow the public XML API reference as
integrators use it.

Privileges: site administrators and User Management admins (``umSiteAdmin``) create, change
and deactivate users; anyone else gets 000001 "Access denied, additional privileges are
required" — except on the default site when it accepts any credentials, where every caller is
treated as an administrator so any client works unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import User
from webex_harness.emulator.services import common, set_drops, user_profile, user_rules
from webex_harness.emulator.services.site import descending, handler, is_user_admin, paged
from webex_harness.emulator.services.user_profile import pmr_url, registered
from webex_harness.emulator.services.user_rules import (
    check_readable,
    may_manage,
    target_user,
)
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex.errors import access_denied, no_record_found, webex_error

USER_CARD_AUTH = declare("user-card-auth", "answers GetUserCard without any credentials or with a malformed JWTToken")

_JWT_PART = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


# ---------------------------------------------------------------- shaping


def _privilege(user: User) -> list[Element]:
    return [
        ("use:host", user.host),
        ("use:siteAdmin", user.site_admin),
        ("use:umSiteAdmin", user.um_site_admin),
        ("use:labAdmin", user.lab_admin),
        ("use:voiceOverIp", user.voice_over_ip),
        ("use:isEnablePMR", user.pmr_enabled),
    ]


# ---------------------------------------------------------------- handlers


@handler("user", "AuthenticateUser")
def authenticate_user(call: Call) -> Elements:
    """Exchange credentials for a session ticket (what real clients call first): a password or
    ``webExAccessToken`` in the securityContext, or the reference page's form with ``<accessToken>``
    in the body, which the app checks before any body is answered
    (:func:`emulator.services.user_login.token_caller`)."""
    user = call.caller
    if user is None:
        webex_id = call.node.get("webExID")
        if not webex_id:
            raise webex_error("030002")
        user = call.site.authenticate(webex_id, call.node.get("password"))
    user.visits += 1
    ticket = call.site.issue_ticket(user)
    return [
        ("use:sessionTicket", ticket),
        ("use:createTime", int(call.now().timestamp() * 1000)),
        ("use:timeToLive", 5400),
    ]


@handler("user", "CreateUser")
def create_user(call: Call) -> Elements:
    """Provision a user (001, 40.4.3, 40.6.0, 40.7.0, 40.10.0, 40.11.0). Response ``use:userId``."""
    user = user_rules.create_user(call, call.node)
    return [("use:userId", user.user_id)]


@handler("user", "SetUser")
def set_user(call: Call) -> Elements:
    """Change a user: the caller themself, or anyone for an administrator (001, 40.4.0–40.12.0).
    Everything is validated before anything changes."""
    call = set_drops.honoured(call)
    user_rules.change_user(call, call.node)
    return []


@handler("user", "GetUser")
def get_user(call: Call) -> Elements:
    """A user's details: every element of the reference's GetUser page, in its order
    (:mod:`emulator.services.user_profile`); ``use:meetingTypes`` always present (docs/wire.md X5)."""
    user = target_user(call, call.node)
    may_manage(call, user)
    check_readable(call, user)
    return user_profile.get_user_elements(call, user)


@handler("user", "GetMe")
def get_me(call: Call) -> Elements:
    """The caller's own account, with ``privilege/umSiteAdmin`` (001, 40.6.0)."""
    user = call.user()
    check_readable(call, user)
    return [
        ("use:webExId", user.webex_id),
        ("use:firstName", user.first_name),
        ("use:lastName", user.last_name),
        ("use:email", user.email),
        ("use:privilege", _privilege(user)),
        ("use:active", "ACTIVATED" if user.active else "DEACTIVATED"),
        ("use:userId", user.user_id),
    ]


@handler("user", "DelUser")
def del_user(call: Call) -> Elements:
    """Deactivate a user (Webex keeps the account; behaviour ``pmr-key-stable`` counts from here)."""
    user_rules.deactivate_user(call, call.node)
    return []


_USER_ORDER = {
    "UID": lambda u: int(u.user_id),
    "WEBEXID": lambda u: u.webex_id.lower(),
    "EMAIL": lambda u: u.email.lower(),
}


@handler("user", "LstsummaryUser")
def lstsummary_user(call: Call) -> Elements:
    """The site's users (an administrator sees everyone, others themselves), paged; each with
    ``use:umSiteAdmin`` (001, 40.6.0)."""
    caller = call.user()
    users = list(call.site.users.values()) if is_user_admin(call, caller) else [caller]
    wanted = (call.node.get("webExId") or "").strip().lower()
    if wanted:
        users = [u for u in users if u.webex_id.lower() == wanted]
    by = (call.node.get("order/orderBy") or "WEBEXID").strip().upper()
    if by == "REGDATE":
        users.sort(key=lambda u: u.registered_at or call.site.created_at, reverse=descending(call.node))
    else:
        users.sort(key=_USER_ORDER.get(by, _USER_ORDER["WEBEXID"]), reverse=descending(call.node))
    chosen, matching = paged(call, call.node, users, "use")
    return [
        matching,
        *[
            (
                "use:user",
                [
                    ("use:userId", u.user_id),
                    ("use:webExId", u.webex_id),
                    ("use:firstName", u.first_name),
                    ("use:lastName", u.last_name),
                    ("use:email", u.email),
                    ("use:registrationDate", registered(call, u)),
                    ("use:active", "ACTIVATED" if u.active else "DEACTIVATED"),
                    ("use:timeZoneID", u.time_zone_id),
                    ("use:umSiteAdmin", u.um_site_admin),
                ],
            )
            for u in chosen
        ],
    ]


def jwt_shaped(token: str) -> bool:
    """Three base64url parts whose first decodes to a JSON object (a JWT header)."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts) or not all(_JWT_PART.match(p) for p in parts):
        return False
    head = parts[0] + "=" * (-len(parts[0]) % 4)
    try:
        decoded = json.loads(base64.urlsafe_b64decode(head.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    return isinstance(decoded, dict)


def _card_authorised(call: Call) -> None:
    """Behaviour ``user-card-auth`` (001, 40.9.0, 40.6.0): credentials, or a ``JWTToken`` HTTP
    header (the API key's JWT). Anonymous: 000001 "Access denied, additional privileges are
    required" — the call lacks authorization, which is what 000001 says (030002 is for wrong
    credentials). A ``JWTToken`` that is not JWT-shaped counts as wrong credentials: 030002."""
    if call.fault(USER_CARD_AUTH):
        return
    token = call.headers.get("jwttoken")
    if token is not None and token.strip():
        if not jwt_shaped(token):
            raise webex_error("030002")
        return
    if call.caller is None:
        raise access_denied()


@handler("user", "GetUserCard")
def get_user_card(call: Call) -> Elements:
    """Response exactly as the 001 (40.6.0) sample: ``use:avatar`` (url, lastModifiedTime,
    isUploaded) and ``use:personalMeetingRoom`` (title, personalMeetingRoomURL, accessCode).
    An unknown ``webExId`` is "no data found": 000015."""
    _card_authorised(call)
    webex_id = (call.node.get("webExId") or "").strip()
    user = call.site.user(webex_id) if webex_id else call.caller
    if user is None:
        raise no_record_found()
    base = common.site_url(call)
    modified = int((user.registered_at or call.site.created_at).timestamp() * 1000)
    owner = user.first_name or user.webex_id
    return [
        (
            "use:avatar",
            [
                ("use:url", f"{base}/svc3300/svccomponents/html/img/avatar160.png"),
                ("use:lastModifiedTime", modified),
                ("use:isUploaded", False),
            ],
        ),
        (
            "use:personalMeetingRoom",
            [
                ("use:title", f"{owner}'s Personal Room"),
                ("use:personalMeetingRoomURL", pmr_url(call, user)),
                ("use:accessCode", user.pmr_key),
            ],
        ),
    ]
