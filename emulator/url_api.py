"""The URL API's login and logout commands (``GET /<site>/p.php?AT=LI|LO``), as far as the XML API's
login tickets need them: a login with the host's login ticket (``WID``, ``TK``) uses the ticket up, so
GetLoginTicket makes a new one (behaviour ``login-ticket-reuse``); a ticket logs in once.

The answer follows the URL API: a redirect to the back URL (``BU``) with ``ST=SUCCESS`` or
``ST=FAIL&RS=…`` added, or, without a back URL, that status as plain text.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from webex_harness.emulator.registry import Registry
from webex_harness.emulator.services.user_login import use_login_ticket

#: status, body, content type, extra headers
UrlReply = tuple[int, bytes, bytes, tuple[tuple[bytes, bytes], ...]]

_TEXT = b"text/plain;charset=UTF-8"


def is_url_api(path: str) -> bool:
    """``/<site>/p.php`` (any case)."""
    parts = path.strip("/").split("/")
    return len(parts) == 2 and parts[1].lower() == "p.php" and bool(parts[0])


def handle(registry: Registry, path: str, query: str) -> UrlReply:
    """Answer one URL API command of the site the path names (404 for a site the emulator lacks)."""
    params = {k.upper(): v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    command = params.get("AT", "").upper()
    with registry.lock:
        site = registry.get(path.strip("/").split("/")[0])
        if site is None:
            return 404, b"no such site", _TEXT, ()
        if command == "LI":
            user = site.user(params.get("WID", "").strip())
            ok = user is not None and user.active and use_login_ticket(user, params.get("TK", "").strip())
            result = {"ST": "SUCCESS"} if ok else {"ST": "FAIL", "RS": "AccessDenied"}
        elif command == "LO":
            result = {"ST": "SUCCESS"}
        else:
            result = {"ST": "FAIL", "RS": "InvalidCommand"}
    outcome = urlencode({"AT": command, **result})
    back = params.get("BU", "").strip()
    if back:
        location = f"{back}{'&' if '?' in back else '?'}{outcome}"
        return 302, b"", _TEXT, ((b"location", location.encode()),)
    return 200, outcome.encode(), _TEXT, ()
