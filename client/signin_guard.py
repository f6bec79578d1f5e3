"""Sign-in safety: a wrong password in the environment file is sent once, not once per test.

A typo in ``credentials.password`` (or a role's) used to fail every test of a site run — each test
signing in again, a few hundred refused sign-ins in a minute, enough for a site that locks an account
after repeated failures to lock the QA account. So, before the first test of a run, each declared
account (the host and every role of ``users:``) signs in once with ``AuthenticateUser``
(:func:`check_sign_ins`, counted against the budget); an account the site refuses — ``030002``
(incorrect user or password) or ``030001`` (no such user) — goes into the process's
:class:`SignInGuard`, an ``httpx`` request hook that sends nothing more with those credentials: the
request raises :class:`SignInRefused` (a :class:`~client.xml_client.BudgetExceeded`, so the test is
skipped ``safety stop: sign-in refused: …`` and the run exits 1 with that line). Tests of the accounts
the site accepted still run. Under xdist each worker checks once; no password is written anywhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from webex_harness.client.exchange_reader import is_xml_request, request_envelope
from webex_harness.client.xml_client import BudgetExceeded, ClientOptions, XmlClient
from webex_harness.webex.envelope import Security

#: the answers to AuthenticateUser that say the declared account cannot sign in
REFUSING_EXCEPTIONS = frozenset({"030001", "030002"})


class SignInRefused(BudgetExceeded):
    """A request was not sent: the site refused its credentials' sign-in before (only its test is skipped)."""

    ends_run = False


def _key(webex_id: str | None, password: str | None) -> tuple[str, str]:
    return ((webex_id or "").lower(), password or "")


@dataclass
class SignInGuard:
    """The declared accounts the site refused, and the request hook that sends nothing more with them."""

    refused: dict[tuple[str, str], str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def refuse(self, security: Security, reason: str) -> None:
        with self._lock:
            self.refused[_key(security.webex_id, security.password)] = reason

    def install(self, http: httpx.Client) -> httpx.Client:
        """Add the hook to ``http`` first: a refused request reaches no other hook (no ledger intent)."""
        hooks = http.event_hooks
        hooks.setdefault("request", []).insert(0, self.on_request)
        http.event_hooks = hooks
        return http

    def on_request(self, request: httpx.Request) -> None:
        if not self.refused or not is_xml_request(request):
            return
        envelope = request_envelope(request)
        if envelope is None or not envelope.owner or envelope.password is None:
            return
        reason = self.refused.get(_key(envelope.owner, envelope.password))
        if reason is not None:
            raise SignInRefused(reason)


def check_sign_ins(
    xml_url: str,
    accounts: Mapping[str, Security],
    options: ClientOptions,
    guard: SignInGuard,
    source: Path | str | None,
    shared: Path | None = None,
) -> dict[str, str]:
    """Sign each of ``accounts`` (role → credentials; those without a password are left out) in once with
    AuthenticateUser; every one the site refuses goes into ``guard``. The refusals: role → reason.

    ``shared``: a file in the run folder (:func:`shared_file`) where the processes of one run share what they
    learnt (role → ``ok`` or the refusal; no credential), so each account is checked once per run, not once per
    process: the first process checks under an exclusive lock, the others read its results."""
    refusals: dict[str, str] = {}
    where = f"in {source}" if source is not None else "in the environment"
    with _shared_record(shared) as known:
        for role, security in accounts.items():
            if not security.webex_id or not security.password:
                continue
            tag = f"{role}:{security.webex_id.lower()}"  # a role whose webExID changed is checked again
            reason = known.get(tag)
            if reason is None:
                answer = XmlClient(xml_url, security, **options).call("user", "AuthenticateUser", {})
                reason = _OK
                if not answer.ok and answer.exception_id in REFUSING_EXCEPTIONS:
                    key = "credentials" if role == "host" else f"users.{role}"
                    reason = (
                        f"sign-in refused: the site answered {answer.exception_id} {answer.reason!r} to {role} "
                        f"{security.webex_id!r} — check {key}.webExID and {key}.password {where}; nothing more "
                        "is sent with these credentials (repeated refused sign-ins can lock the account)"
                    )
                known[tag] = reason
            if reason != _OK:
                guard.refuse(security, reason)
                refusals[role] = reason
    return refusals


def shared_file(run_dir: Path | str, run_id: str) -> Path:
    """The run's record of the accounts checked (role and webExID → ``ok`` or the reason the site refused it):
    ``signin-<run-id>.json`` in the run folder — one run's, never a later one's that reuses the folder (a
    password corrected since is checked again)."""
    return Path(run_dir) / f"signin-{run_id}.json"


_OK = "ok"


@contextlib.contextmanager
def _shared_record(path: Path | None) -> Iterator[dict[str, str]]:
    """What the run's processes learnt so far (an empty dict without a file), held under an exclusive lock;
    written back when the block ends without an exception."""
    if path is None:
        yield {}
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            known = _read_shared(path)
            yield known
            path.write_text(json.dumps(known, sort_keys=True), encoding="utf-8")
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _read_shared(path: Path) -> dict[str, str]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


__all__ = ["REFUSING_EXCEPTIONS", "SignInGuard", "SignInRefused", "check_sign_ins", "shared_file"]
