"""Mask credentials wherever envelopes, headers or logs are shown.

Passwords, session tickets, access tokens and JWTs never reach a report, a log, a JUnit message
or an allure attachment. :func:`mask` hides (1) the text of credential elements in XML,
(2) ``Authorization``/``JWTToken`` header values and ``"password"``-like JSON fields, and (3) any
literal secret it is given, wherever it occurs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "********"

_XML_SECRET = re.compile(
    r"(<(?:[\w.-]+:)?(password|sessionTicket|webExAccessToken|accessToken|JWTToken)\b[^>]*>)"
    r"((?:<!\[CDATA\[[\s\S]*?\]\]>|[^<])*)(</)",
    re.IGNORECASE,
)
#: also header dicts written as JSON or a Python repr (``{"Authorization": "Bearer …"}``) and any scheme
_HEADER_SECRET = re.compile(
    r"(?i)\b(authorization|jwttoken)([\"']?\s*[:=]\s*[\"']?)((?:bearer|basic|token)\s+)?([^\s,;\"']+)"
)
_JSON_SECRET = re.compile(
    r'(?i)("(?:password|token|access_token|rest_token|jwt_token|jwtToken|sessionTicket|webExAccessToken'
    r'|accessToken|refresh_token)"\s*:\s*")([^"]*)(")'
)
_JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+")


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential replaced by ``********``."""
    out = _XML_SECRET.sub(lambda m: m.group(1) + (MASK if m.group(3) else "") + m.group(4), text)
    out = _HEADER_SECRET.sub(lambda m: m.group(1) + m.group(2) + (m.group(3) or "") + MASK, out)
    out = _JSON_SECRET.sub(lambda m: m.group(1) + MASK + m.group(3), out)
    out = _JWT.sub(MASK, out)
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        out = out.replace(secret, MASK)
    return out


def mask_bytes(data: bytes, secrets: Iterable[str] = ()) -> str:
    return mask(data.decode("utf-8", "replace"), secrets)
