"""Who may use the control API (``/_emulator/``): what keeps a web page a developer opens from
switching faults, changing settings, resetting the emulator or reading a site's state.

A browser lets any page send a "simple" cross-site POST (``text/plain``, a form, no body) to
``http://127.0.0.1:8080``, and with DNS rebinding a page on its own name can even read the answers.
So a control request is refused when

- its ``Host`` names neither a loopback address nor the address the connection arrived on (a
  rebound name does not): **403**;
- it carries an ``Origin`` (browsers add one to cross-site requests) that is not such an address
  either: **403**;
- it is a POST whose ``Content-Type`` is not ``application/json`` (no simple request can send that
  without the page first asking, and the emulator answers no such preflight): **415**;
- the emulator has a control token (``webex-harness emulator --control-token``, made up automatically
  when it listens beyond loopback) and the request does not present it as ``Authorization: Bearer
  <token>``: **401**.

``GET /_emulator/health`` stays open to all (it tells nothing about any site), so readiness checks
need no token.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = ["LOOPBACK_NAMES", "control_refusal"]

#: Host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def _host_of(authority: str) -> str:
    """``host`` of ``host[:port]`` / ``[v6]:port``, lower case, brackets dropped."""
    text = authority.strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text[1:]
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def _loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _own(host: str, server_host: str | None) -> bool:
    return host in LOOPBACK_NAMES or _loopback_ip(host) or (server_host is not None and host == server_host)


def control_refusal(
    method: str, path: str, scope: Mapping[str, Any], headers: Mapping[str, str], token: str | None
) -> tuple[int, str] | None:
    """``(status, reason)`` when the control request must be refused (module docstring), else None."""
    if method == "GET" and path.strip("/").lower() == "health":
        return None
    server = scope.get("server")
    server_host = str(server[0]).lower() if server else None
    host = _host_of(headers.get("host", ""))
    if not host or not _own(host, server_host):
        return 403, f"Host {headers.get('host', '')!r} is not this emulator's address"
    origin = headers.get("origin")
    if origin is not None:
        origin_host = (urlsplit(origin).hostname or "") if origin.strip().lower() != "null" else ""
        if not origin_host or not _own(origin_host.lower(), server_host):
            return 403, f"cross-site request from Origin {origin!r} refused"
    if method == "POST":
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            return 415, "the control API takes Content-Type: application/json"
    if token is not None:
        sent = headers.get("authorization", "")
        scheme, _, value = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            return 401, "the control API needs this emulator's token: Authorization: Bearer <token>"
    return None
