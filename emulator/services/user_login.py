"""Signing users in through the XML API: login tickets (GetLoginTicket), the login and logout URLs of
the URL API (GetloginurlUser, GetlogouturlUser), and AuthenticateUser's ``<accessToken>`` form.

Sources: the XML API reference pages getloginticket, getloginurluser, getlogouturluser and
authenticateuser (developer.cisco.com/docs/webex-xml-api-reference-guide/<name>).

- A login ticket is a temporary secret of one host, for the URL API's ``p.php?AT=LI&TK=…``.
  GetLoginTicket hands out the host's ticket while it is unused and a new one when there is none or
  the URL API used the last one up (:mod:`emulator.url_api`, behaviour ``login-ticket-reuse``);
  attendee-only accounts may
  call it. GetloginurlUser answers the site's login URL with the user's names, e-mail, webExID and a
  fresh one-time ticket (behaviour ``login-url-ticket``); the ticket becomes the host's ticket.
- GetlogouturlUser answers the site's ``p.php?AT=LO`` URL (behaviour ``logout-url``).
- Both URL APIs name a user by ``webExID``: the caller themself, or anyone for a user administrator
  (others: 000001); an unknown one is 030001.
- AuthenticateUser's reference form puts ``webExID`` (no password) in the securityContext and the
  Webex access token in the body (behaviour ``authenticate-user-access-token``): the emulator checks
  the token as it checks ``webExAccessToken`` (the site's REST token) before the body is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from webex_harness.emulator import entropy
from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site, User
from webex_harness.emulator.services import common
from webex_harness.emulator.services.site import handler
from webex_harness.emulator.services.user_rules import may_manage
from webex_harness.emulator.xmlio import BodyContent, Elements, Node
from webex_harness.webex.errors import webex_error

LOGIN_TICKET_REUSE = declare(
    "login-ticket-reuse", "GetLoginTicket hands out a new ticket on every call, though the last one is unused"
)
LOGIN_URL_TICKET = declare("login-url-ticket", "GetloginurlUser answers the host's previous ticket, not a fresh one")
LOGOUT_URL = declare("logout-url", "GetlogouturlUser answers a URL for an unknown webExID instead of 030001")
ACCESS_TOKEN_BODY = declare(
    "authenticate-user-access-token", "AuthenticateUser ignores <accessToken> in the body (needs a password)"
)

#: the XML API version GetLoginTicket reports, in the form the reference's GetAPIVersion sample shows
#: (``apiVersion``; the 40.x release number is GetAPIVersion's ``apiVer``)
API_VERSION = "WebEx XML API V11.0.0"

_CREDENTIALS = ("password", "sessionTicket", "webExAccessToken")


def new_login_ticket(user: User) -> str:
    """A new unused login ticket for ``user`` (the previous one lapses)."""
    user.login_ticket = entropy.token_hex(16)
    user.login_ticket_used = False
    return user.login_ticket


def use_login_ticket(user: User, ticket: str) -> bool:
    """The URL API's login with ``ticket``: True (and the ticket used up, a visit counted) when it is
    the user's unused ticket."""
    if not ticket or user.login_ticket != ticket or user.login_ticket_used:
        return False
    user.login_ticket_used = True
    user.visits += 1
    return True


def _named_user(call: Call, fault: str | None = None) -> User | None:
    """The user ``webExID`` names (the caller when absent; either spelling); unknown: 030001 — or None
    with ``fault`` on. The caller must be that user or a user administrator (000001)."""
    webex_id = (call.node.get("webExID") or call.node.get("webExId") or "").strip()
    user = call.site.user(webex_id) if webex_id else call.user()
    if user is None:
        if fault is not None and call.fault(fault):
            return None
        raise webex_error("030001")
    may_manage(call, user)
    return user


def _back_url(call: Call) -> str:
    return quote((call.node.get("backURL") or "").strip(), safe="")


@handler("user", "GetLoginTicket")
def get_login_ticket(call: Call) -> Elements:
    """Behaviour ``login-ticket-reuse``: the host's unused ticket, or a new one."""
    user = call.user()
    if user.login_ticket is None or user.login_ticket_used or call.fault(LOGIN_TICKET_REUSE):
        new_login_ticket(user)
    return [("use:ticket", user.login_ticket), ("use:apiVersion", API_VERSION)]


@handler("user", "GetloginurlUser")
def get_login_url_user(call: Call) -> Elements:
    """Behaviour ``login-url-ticket``: ``<site>/<site>/p.php?AT=LI&FN&LN&EM&WID&TK&MU=GoBack&BU``."""
    user = _named_user(call)
    assert user is not None
    if user.login_ticket is None or not call.fault(LOGIN_URL_TICKET):
        new_login_ticket(user)
    site = call.site.name.lower()
    query = "&".join(
        f"{key}={value}"
        for key, value in (
            ("AT", "LI"),
            ("FN", quote(user.first_name, safe="")),
            ("LN", quote(user.last_name, safe="")),
            ("EM", quote(user.email, safe="@")),
            ("WID", quote(user.webex_id, safe="@")),
            ("TK", user.login_ticket),
            ("MU", "GoBack"),
            ("BU", _back_url(call)),
        )
    )
    return [("use:userLoginURL", f"{common.site_url(call)}/{site}/p.php?{query}")]


@handler("user", "GetlogouturlUser")
def get_logout_url_user(call: Call) -> Elements:
    """Behaviour ``logout-url``: ``<site>/<site>/p.php?AT=LO&BU=<backURL>``."""
    _named_user(call, LOGOUT_URL)
    site = call.site.name.lower()
    return [("use:userLogoutURL", f"{common.site_url(call)}/{site}/p.php?AT=LO&BU={_back_url(call)}")]


def body_token(site: Site, security: Node, bodies: Sequence[BodyContent]) -> str | None:
    """The ``<accessToken>`` of a request in AuthenticateUser's reference form (``webExID`` and no
    password, ticket or token in the securityContext; every body an AuthenticateUser with one), else None."""
    if not bodies or not security.get("webExID") or any(security.get(name) for name in _CREDENTIALS):
        return None
    tokens = [(b.node.get("accessToken") or "").strip() for b in bodies if b.api.lower() == "authenticateuser"]
    if len(tokens) != len(bodies) or not all(tokens) or len(set(tokens)) != 1:
        return None
    if site.fault(ACCESS_TOKEN_BODY):
        return None
    return tokens[0]


def token_caller(site: Site, security: Node, token: str) -> User:
    """Behaviour ``authenticate-user-access-token``: the account ``webExID`` names, when ``token`` is
    the site's access token (the lenient default site takes any, provisioning unknown users);
    unknown account: 030001, wrong token: 030002."""
    return caller_with_token(site, (security.get("webExID") or "").strip(), token)


def caller_with_token(site: Site, webex_id: str, token: str) -> User:
    """The account ``webex_id`` signed in with an access token (in the body or the security context's
    ``webExAccessToken``): the lenient default site takes any token, provisioning unknown users;
    unknown account: 030001, wrong token: 030002."""
    user = site.user(webex_id)
    if site.default and not site.settings.strict_auth:
        return user or site.authenticate(webex_id, None)
    if user is None:
        raise webex_error("030001")
    if token != site.rest_token:
        raise webex_error("030002")
    return user
