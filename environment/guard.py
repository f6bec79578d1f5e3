"""The one rule every URL passes before the harness connects to it: this machine, or the site the
environment file names.

A URL is allowed when its host is loopback (``localhost``, ``127.0.0.0/8``, ``::1``: an emulator)
or when its origin (scheme, host, port) is the environment's own ``xml_url`` or ``rest_url`` origin.
Anything else — a typo in ``--emulator-url``, a load target on another host — is refused with one
line (:class:`GuardError`, exit 2) before a single packet leaves: the check reads the URL, it never
resolves or connects.

Applied to: the environment's own URLs (well-formed http(s)), ``--emulator-url`` of ``run``,
``contracts``, ``load`` and ``cleanup``, the load target and its REST base (:mod:`load.runner`).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from webex_harness.environment.model import AUTO, Environment

__all__ = ["GuardError", "check_environment", "check_url", "is_loopback", "origin_of"]


class GuardError(ValueError):
    """A URL the harness refuses to connect to; ``str()`` is one line."""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, default ports dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine, by name or address (no lookup)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _own_origins(env: Environment | None) -> list[str]:
    if env is None:
        return []
    return list(dict.fromkeys(origin_of(u) for u in (env.xml_url, env.rest_url) if u and u != AUTO))


def _well_formed(url: str, what: str) -> None:
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise GuardError(f"{what} {url!r} has an invalid port") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise GuardError(f"{what} must be an http(s) URL with a host, got {url!r}")


def check_url(url: str, env: Environment | None = None, *, what: str = "URL") -> str:
    """``url`` when it is loopback or ``env``'s own XML/REST origin; :class:`GuardError` otherwise."""
    _well_formed(url, what)
    if is_loopback(url):
        return url
    own = _own_origins(env)
    if origin_of(url) in own:
        return url
    allowed = "loopback" + (f" or the environment's own origin ({', '.join(own)})" if own else "")
    raise GuardError(f"refusing to target {what} {url!r}: only {allowed} may be targeted (nothing was sent)")


def check_environment(env: Environment, emulator_url: str | None = None) -> None:
    """Before anything connects: the environment's own URLs are well-formed http(s) URLs and
    ``emulator_url`` (``--emulator-url``) passes :func:`check_url` against the file's own URLs."""
    where = env.path if env.path is not None else env.name
    for key, url in (("xml_url", env.xml_url), ("rest_url", env.rest_url)):
        if url and url != AUTO:
            _well_formed(url, f"{where}: {key}")
    if emulator_url:
        check_url(emulator_url, env, what="--emulator-url")
