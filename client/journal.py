"""The journal of a run: ``reports/<run-id>/ledger-<run-id>.jsonl``, written before each create, and its reading.

A run must leave a site as it found it, even when it is interrupted. Every object a run creates —
meeting, event, training session, teleconference, support session, attendee, user, contact,
scheduled test, REST meeting — is recorded in the journal (append-only, one JSON object a line,
shared by the xdist workers of the run):

``intent``       written **before** the create is sent: ``kind``, ``api`` (the create API),
                 ``site``, ``owner`` (the caller's webExID), ``name`` (confName, webExId, title …),
                 ``delete_api`` and a ``ref`` the outcome refers to
``created``      the create succeeded: the same fields plus ``id`` (meetingkey, sessionKey,
                 attendeeId, webExId, contactID, testID, REST id), ``uuid`` (meetingUUID) and
                 ``parent`` / ``parent_field`` (the session an attendee or test belongs to);
                 a REST meeting's ``aliases``: its meetingNumber, the key the XML API knows it by
``alias``        an answer showed an object's ID in the other API (an XML meeting's REST series ID):
                 ``kind``, ``site``, ``id`` and the ``alias``; a delete through either API finds the
                 object by it
``not-created``  the create was refused (a FAILURE envelope, a 4xx)
``deleted``      the object is gone: deleted by a test (``by: "test"``, seen on the wire) or by
                 clean-up (``by: "cleanup"``, ``verified``: a Get said it is gone)
``left``         clean-up could not remove it (``reason``): no delete API, no credentials, budget
``hook-error``   a request the hooks could not read (the error's type only)

Every line also carries ``run_id``, ``worker`` and ``at`` (UTC, ISO 8601). Nothing secret is ever
written: no password, ticket or token — only names and IDs, and the free text of a line (``name``,
``reason``) is masked with the run's :class:`~webex.masking.SecretSet`, so a name or a reason that holds
a secret the run has met shows ``********`` instead.

:class:`Ledger` writes the lines; :func:`read_lines` and :func:`fold` read them back into a
:class:`LedgerState` (objects and unresolved intents); :func:`summarise` says what a run left for its
summary. Who writes: :mod:`client.ledger_hooks` (from the wire) and :mod:`client.cleaner`. Stands on
:mod:`client.kinds` and :mod:`webex.masking`.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from webex_harness.client.kinds import SESSION_KINDS, Kind, delete_api_name, kind
from webex_harness.webex.masking import SecretSet

#: the fields of a line that hold free text (masked); every other field is a name, an ID or a flag
_FREE_TEXT = ("name", "reason")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def ledger_path(run_dir: Path, run_id: str) -> Path:
    return run_dir / f"ledger-{run_id}.jsonl"


@dataclass(slots=True)
class Obj:
    """One object of the ledger, as its lines add up."""

    kind: str
    site: str
    id: str
    run_id: str = ""
    uuid: str | None = None
    parent: str | None = None
    parent_field: str | None = None
    owner: str | None = None
    name: str | None = None
    api: str = ""
    created_at: str = ""
    status: str = "created"  # created | deleted | left
    reason: str = ""
    seq: int = 0
    #: the object's IDs in the other API: a REST meeting's meetingNumber (its XML meeting key), an XML
    #: meeting's REST series ID once an answer showed it — a delete through either API finds it by them
    aliases: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.site.lower(), self.id)

    def describe(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"{self.kind} {self.id}{label} on site {self.site}"


@dataclass
class LedgerState:
    """Objects and unresolved intents folded from ledger lines (one run's, or several)."""

    objects: dict[tuple[str, str, str], Obj] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolved: set[str] = field(default_factory=set)

    def apply(self, rec: dict[str, Any]) -> None:
        event = rec.get("event")
        if event == "intent":
            self.intents[str(rec.get("ref"))] = rec
        elif event == "not-created":
            self.resolved.add(str(rec.get("ref")))
        elif event == "created":
            self.resolved.add(str(rec.get("ref")))
            obj = Obj(
                kind=str(rec["kind"]),
                site=str(rec["site"]),
                id=str(rec["id"]),
                run_id=str(rec.get("run_id", "")),
                uuid=rec.get("uuid"),
                parent=rec.get("parent"),
                parent_field=rec.get("parent_field"),
                owner=rec.get("owner"),
                name=rec.get("name"),
                api=str(rec.get("api", "")),
                created_at=str(rec.get("created_at") or rec.get("at") or ""),
                seq=len(self.objects) + 1,
                aliases=[str(a) for a in rec.get("aliases") or []],
            )
            self.objects[obj.key] = obj
        elif event == "alias":
            known = self.objects.get((str(rec.get("kind")), str(rec.get("site", "")).lower(), str(rec.get("id"))))
            alias = str(rec.get("alias", ""))
            if known is not None and alias and alias not in known.aliases:
                known.aliases.append(alias)
        elif event in ("deleted", "left"):
            known = self.objects.get((str(rec.get("kind")), str(rec.get("site", "")).lower(), str(rec.get("id"))))
            if known is not None and known.status != "deleted":
                known.status = "deleted" if event == "deleted" else "left"
                known.reason = str(rec.get("reason", ""))

    def outstanding(self) -> list[Obj]:
        """Objects not (yet) deleted, newest first — children before the sessions they belong to."""
        return sorted((o for o in self.objects.values() if o.status != "deleted"), key=lambda o: -o.seq)

    def unresolved(self) -> list[dict[str, Any]]:
        """Intents whose outcome never arrived (the run died while the create was in flight) —
        but not an attendee's or a test's whose session is gone: it went with it."""
        out = []
        for ref, i in self.intents.items():
            if ref in self.resolved:
                continue
            parent = self.find(SESSION_KINDS, str(i.get("site", "")), str(i["parent"])) if i.get("parent") else None
            if parent is None or parent.status != "deleted":
                out.append(i)
        return out

    def find(self, kinds: Iterable[str], site: str, ident: str) -> Obj | None:
        low = site.lower()
        for o in self.objects.values():
            if (
                o.kind in kinds
                and o.site.lower() == low
                and (o.id == ident or (o.uuid or "") == ident.lower() or ident in o.aliases)
            ):
                return o
        return None


def read_lines(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every record of these ledger files (lines that are not JSON — a torn last line — skipped)."""
    out: list[dict[str, Any]] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                out.append(rec)
    return out


def fold(records: Iterable[dict[str, Any]]) -> LedgerState:
    state = LedgerState()
    for rec in records:
        state.apply(rec)
    return state


def find_ledgers(reports: Path, run_id: str | None = None) -> list[Path]:
    """The ledgers of one run (``reports/<run-id>/ledger-*.jsonl``) or of every run under ``reports``."""
    if run_id:
        return sorted((reports / run_id).glob("ledger-*.jsonl"))
    return sorted(reports.glob("*/ledger-*.jsonl"))


#: how each object of a run ended, in the order the summary names them
ENDINGS = ("deleted_by_tests", "removed_by_cleanup", "found_gone_by_cleanup", "left")


@dataclass
class _Life:
    """One object from its create (or, found on the site by its name, from its deletion) to how it ended."""

    kind: str
    site: str
    id: str
    name: str | None
    uuid: str | None = None
    found_by_name: bool = False
    ending: str = ""  # one of ENDINGS; "" while nothing says how it ended
    reason: str = ""


def _kind_of(name: str) -> Kind | None:
    try:
        return kind(name)
    except KeyError:
        return None


def _ending(rec: dict[str, Any]) -> str:
    if rec.get("by") == "test":
        return "deleted_by_tests"
    return "removed_by_cleanup" if rec.get("removed", True) else "found_gone_by_cleanup"


class _Accounts:
    """The lives of a run's objects, folded from its ledger lines (the ledger's own fold keeps one object
    per key; the accounts keep one per life, so that every create and every deletion counts once):

    - a ``created`` line starts a life; a second one for a key whose life ended deleted starts another
      (a user reactivated by SetUser after DelUser), one for a key still alive changes nothing;
    - a ``deleted`` line ends the key's life unless it has ended deleted already; one for no known key
      — clean-up deleting what it found on the site by the run's name, whose create's answer never
      arrived — is a life of its own, ``found_by_name``; a session found by name is matched to the
      session the ledger knows by its key or UUID, whatever its kind;
    - a ``left`` line ends a life not deleted (a later deletion still counts instead);
    - a life with no ending is left: nothing recorded its deletion.
    """

    def __init__(self) -> None:
        self.lives: list[_Life] = []
        self._current: dict[tuple[str, str, str], _Life] = {}
        self.reactivated = 0

    def _find(self, rec: dict[str, Any]) -> _Life | None:
        kind_name, site, ident = str(rec.get("kind")), str(rec.get("site", "")).lower(), str(rec.get("id"))
        life = self._current.get((kind_name, site, ident))
        if life is None and kind_name in SESSION_KINDS:  # found by name: any kind of session with that key
            for other in self._current.values():
                if other.kind in SESSION_KINDS and other.site.lower() == site and ident in (other.id, other.uuid):
                    return other
        return life

    def _new(self, rec: dict[str, Any], found_by_name: bool) -> _Life:
        life = _Life(
            kind=str(rec.get("kind")),
            site=str(rec.get("site", "")),
            id=str(rec.get("id")),
            name=rec.get("name"),
            uuid=rec.get("uuid"),
            found_by_name=found_by_name,
        )
        self.lives.append(life)
        self._current[(life.kind, life.site.lower(), life.id)] = life
        return life

    def apply(self, rec: dict[str, Any]) -> None:
        event = rec.get("event")
        if event == "created":
            life = self._find(rec)
            if life is None:
                self._new(rec, found_by_name=False)
            elif life.ending in ENDINGS[:3]:  # deleted, then brought back (SetUser ACTIVATED): a new life
                self.reactivated += 1
                self._new(rec, found_by_name=False)
        elif event == "deleted":
            life = self._find(rec) or self._new(rec, found_by_name=True)
            if life.ending not in ENDINGS[:3]:
                life.ending, life.reason = _ending(rec), ""
        elif event == "left":
            life = self._find(rec) or self._new(rec, found_by_name=True)
            if life.ending not in ENDINGS[:3]:
                life.ending, life.reason = "left", str(rec.get("reason", ""))


def summarise(run_dir: Path) -> dict[str, Any] | None:
    """What the run's ledger says, for its summary: how every object it created ended, so that the
    counts add up — ``created + found_by_name = deleted_by_tests + removed_by_cleanup +
    found_gone_by_cleanup + len(left)`` — and what was left behind, each with why.

    ``created`` counts creates (a user reactivated after its deletion counts again: ``reactivated``);
    ``found_by_name`` the objects clean-up found on the site by the run's name and removed or left
    whose create's answer never arrived; ``left`` lists every object not deleted — ``undeletable``
    when no API deletes its kind (contacts: they stay on the site whatever the run does).
    ``unresolved_intents`` are creates whose outcome is unknown, less those found by name.
    """
    records = read_lines(sorted(run_dir.glob("ledger-*.jsonl")))
    if not records:
        return None
    accounts = _Accounts()
    for rec in records:
        accounts.apply(rec)
    lives = accounts.lives
    by_kind: dict[str, int] = {}
    for life in lives:
        if not life.found_by_name:
            by_kind[life.kind] = by_kind.get(life.kind, 0) + 1
    ended = {e: [life for life in lives if (life.ending or "left") == e] for e in ENDINGS}
    left = []
    for life in reversed(ended["left"]):  # newest first, as clean-up goes
        known = _kind_of(life.kind)
        undeletable = known is not None and known.delete is None
        reason = life.reason or (
            known.note if undeletable and known else "nothing recorded its deletion (the run ended before clean-up)"
        )
        left.append(
            {
                "kind": life.kind,
                "id": life.id,
                "site": life.site,
                "name": life.name,
                "reason": reason,
                "undeletable": undeletable,
                "found_by_name": life.found_by_name,
            }
        )
    found_names = {life.name for life in lives if life.found_by_name and life.name}
    last_user_lives = {(life.site.lower(), life.id): life for life in lives if life.kind == "user"}
    state = fold(records)
    return {
        "ledger": sorted(p.name for p in run_dir.glob("ledger-*.jsonl")),
        "created": sum(1 for life in lives if not life.found_by_name),
        "reactivated": accounts.reactivated,
        "found_by_name": sum(1 for life in lives if life.found_by_name),
        "by_kind": by_kind,
        "deleted_by_tests": len(ended["deleted_by_tests"]),
        "removed_by_cleanup": len(ended["removed_by_cleanup"]),
        "found_gone_by_cleanup": len(ended["found_gone_by_cleanup"]),
        "left": left,
        # DelUser deactivates: the account stays on the site, DEACTIVATED
        "deactivated_users": sum(1 for life in last_user_lives.values() if life.ending in ENDINGS[:3]),
        "unresolved_intents": [
            {"kind": i.get("kind"), "api": i.get("api"), "site": i.get("site"), "name": i.get("name")}
            for i in state.unresolved()
            if not (i.get("name") and i.get("name") in found_names)
        ],
    }


def cleanup_sentence(info: dict[str, Any]) -> str:
    """The clean-up in one line, the terminal's and the report's: ``812 created = 640 deleted by the
    tests + 149 removed by clean-up + 0 found gone + 23 left (23 contacts stay: the XML API has no call
    that deletes a contact)``."""
    lhs = f"{info.get('created', 0)} created"
    if info.get("reactivated"):
        lhs += f" (with {info['reactivated']} reactivated after deletion)"
    if info.get("found_by_name"):
        lhs += f" + {info['found_by_name']} found on the site by the run's name"
    left = info.get("left") or []
    stays = [x for x in left if x.get("undeletable")]
    why = []
    if stays:
        one = len(stays) == 1
        kinds = "/".join(sorted({f"{x.get('kind')}{'' if one else 's'}" for x in stays}))
        reasons = "; ".join(sorted({str(x.get("reason")) for x in stays}))
        why.append(f"{len(stays)} {kinds} stay{'s' if one else ''}: {reasons}")
    if len(left) > len(stays):
        why.append(f"{len(left) - len(stays)} not removed")
    return (
        f"{lhs} = {info.get('deleted_by_tests', 0)} deleted by the tests + {info.get('removed_by_cleanup', 0)} "
        f"removed by clean-up + {info.get('found_gone_by_cleanup', 0)} found gone + {len(left)} left"
        + (f" ({'; '.join(why)})" if why else "")
    )


class Ledger:
    """Writes ledger lines (to ``path`` when given, always to memory) and folds them; ``secrets`` masks
    their free text (the run's set; by default one of its own, which masks the credential patterns)."""

    def __init__(
        self, run_id: str, path: Path | None = None, worker: str = "main", secrets: SecretSet | None = None
    ) -> None:
        self.run_id = run_id
        self.path = path
        self.worker = worker
        self.secrets = secrets if secrets is not None else SecretSet()
        self.records: list[dict[str, Any]] = []
        self._state = LedgerState()
        self._lock = threading.RLock()
        self._fd: int | None = None
        self._refs = 0

    def _write(self, event: str, **fields: Any) -> dict[str, Any]:
        for key in _FREE_TEXT:
            if isinstance(fields.get(key), str):
                fields[key] = self.secrets.mask(fields[key])
        rec = {"event": event, "run_id": self.run_id, "worker": self.worker, "at": _now(), **fields}
        line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            if self.path is not None:
                if self._fd is None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.write(self._fd, line)  # one write per line: O_APPEND keeps the workers' lines whole
            self.records.append(rec)
            self._state.apply(rec)
        return rec

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def state(self) -> LedgerState:
        """The live fold of this ledger's own lines (not other workers')."""
        return self._state

    # -- the events ----------------------------------------------------------------------
    def intent(
        self, k: Kind, api: str, site: str, owner: str | None, name: str | None, parent: str | None = None
    ) -> str:
        with self._lock:
            self._refs += 1
            ref = f"{self.worker}-{os.getpid()}-{self._refs}"
        extra = {"parent": parent} if parent else {}
        self._write(
            "intent",
            ref=ref,
            kind=k.name,
            api=api,
            site=site,
            owner=owner,
            name=name,
            delete_api=delete_api_name(k),
            **extra,
        )
        return ref

    def created(
        self,
        ref: str,
        k: Kind,
        api: str,
        site: str,
        owner: str | None,
        name: str | None,
        ident: str,
        uuid: str | None = None,
        parent: str | None = None,
        parent_field: str | None = None,
        aliases: Sequence[str] = (),
    ) -> None:
        extra = {"aliases": list(aliases)} if aliases else {}
        self._write(
            "created",
            ref=ref,
            kind=k.name,
            api=api,
            site=site,
            owner=owner,
            name=name,
            id=ident,
            uuid=uuid,
            parent=parent,
            parent_field=parent_field,
            created_at=_now(),
            delete_api=delete_api_name(k),
            **extra,
        )

    def alias(self, obj: Obj, alias: str) -> None:
        """``obj`` is also ``alias`` in the other API (a meeting's REST series ID or its meeting key)."""
        self._write("alias", kind=obj.kind, site=obj.site, id=obj.id, alias=alias)

    def not_created(self, ref: str, reason: str) -> None:
        self._write("not-created", ref=ref, reason=reason[:200])

    def deleted(self, obj: Obj, by: str, verified: bool, how: str = "", removed: bool = True) -> None:
        """``removed``: this delete removed it (False: it was found already gone)."""
        self._write(
            "deleted",
            kind=obj.kind,
            site=obj.site,
            id=obj.id,
            name=obj.name,
            by=by,
            verified=verified,
            removed=removed,
            how=how,
        )

    def left(self, obj: Obj, reason: str) -> None:
        self._write("left", kind=obj.kind, site=obj.site, id=obj.id, name=obj.name, reason=reason)

    def error(self, where: str, exc: BaseException) -> None:
        """A request the ledger could not read (recorded by type only: no text that might hold a secret)."""
        self._write("hook-error", where=where, error=type(exc).__name__)


__all__ = [
    "ENDINGS",
    "Ledger",
    "LedgerState",
    "Obj",
    "cleanup_sentence",
    "find_ledgers",
    "fold",
    "ledger_path",
    "read_lines",
    "summarise",
]
