"""The facts a run's summary states, worded once for both renderings (``summary.md`` and
``summary.html``): the title (target, site, date), the verdict and what it covers (profile, selection,
behaviours checked and not, tests run and skipped and why), the few lines on top a manager reads, what
to do next, and where each behaviour is documented as links.

Everything is read from the ``summary.json`` record (:mod:`runs.report`), and a record written before
a key existed reads with a sensible default, so that ``webex-harness report`` renders old runs too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from webex_harness.client.journal import cleanup_sentence

#: a behaviour's status, in the order the reports count them
STATUSES = ("passed", "failed", "skipped", "not run", "not covered")
#: a ``where`` that names a page without its scheme: ``developer.cisco.com/docs/…``
_BARE_ADDRESS = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")
#: skip reasons grouped by their prefix (the rest by their text)
_SKIP_PREFIXES = ("budget spent", "safety stop")


#: what the load section of both reports says of a load run stopped by a signal (Ctrl-C, a CI's cancel)
INTERRUPTED_LOAD = "Interrupted: the figures cover the load until it was stopped; no gate was checked."


def release_sentence(summary: dict[str, Any]) -> str | None:
    """``certified against API 40.12.0 (declared)`` / ``(read with GetAPIVersion)``; None when the run
    recorded no release (no contract test ran, or a record from before releases were recorded)."""
    release = summary.get("release") or {}
    if not release.get("release"):
        return None
    return f"certified against API {release['release']} ({release.get('how') or 'declared'})"


def document_url(where: str) -> str | None:
    """The https address of a document's ``where`` (``developer.cisco.com/docs/…`` or a full URL);
    None when ``where`` describes the page in words rather than naming its address."""
    text = where.strip()
    if text.startswith(("https://", "http://")):
        return text.split()[0]
    return f"https://{text}" if _BARE_ADDRESS.match(text) else None


def documents(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Every document the behaviours cite, once, in the order first cited: ``title``, ``where``, ``url``."""
    seen: dict[str, dict[str, Any]] = {}
    for b in summary.get("behaviours") or []:
        for d in b.get("documents") or []:
            seen.setdefault(
                str(d.get("title")), {"title": d.get("title"), "where": d.get("where"), "url": d.get("url")}
            )
    return list(seen.values())


def report_date(started: Any) -> str:
    """``3 Dec 2026`` for an ISO start time (UTC); the text itself when it is not one."""
    try:
        when = datetime.fromisoformat(str(started))
    except ValueError:
        return str(started or "")
    return f"{when.day} {when:%b %Y}"


def target_label(summary: dict[str, Any]) -> str:
    """``Webex site acme.webex.com`` (the XML API's host) or ``Webex emulator (site harness)``."""
    t = summary.get("target") or {}
    site = t.get("site_name") or t.get("name") or "?"
    if t.get("kind") == "emulator":
        return f"Webex emulator (site {site})"
    url = str(t.get("xml_url") or "")
    host = urlparse(url).hostname if "://" in url else None
    return f"Webex site {host or site}"


def contracts_ran(summary: dict[str, Any]) -> bool:
    tests = summary.get("tests") or {}
    return bool(summary.get("plan")) or any(int(tests.get(k, 0)) for k in ("passed", "failed", "skipped"))


def report_kind(summary: dict[str, Any]) -> str:
    """``contract certification``, ``load test``, ``self-check``, or what of them the run did together."""
    kinds = [
        name
        for name, done in (
            ("contract certification", contracts_ran(summary)),
            ("load test", bool(summary.get("load"))),
            ("self-check", bool(summary.get("selfcheck"))),
        )
        if done
    ] or ["contract certification"]
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def report_title(summary: dict[str, Any]) -> str:
    """``Webex site acme.webex.com — contract certification — 3 Dec 2026``."""
    parts = [target_label(summary), report_kind(summary), report_date(summary.get("started"))]
    return " — ".join(p for p in parts if p)


@dataclass(frozen=True)
class Scope:
    """How many behaviours of the catalogue the run checked, by status."""

    total: int
    counts: dict[str, int]

    @property
    def checked(self) -> int:
        return self.counts["passed"] + self.counts["failed"]

    def sentence(self) -> str:
        """``all 54 behaviours checked: passed`` · ``1 of 54 behaviours checked: passed`` ·
        ``2 of 54 behaviours failed (50 checked)``."""
        failed, n = self.counts["failed"], self.total
        if failed:
            return f"{failed} of {n} behaviour{'s' if n != 1 else ''} failed ({self.checked} checked)"
        if self.checked == 0:
            return f"no behaviour checked (0 of {n})"
        if self.checked == n:
            return f"all {n} behaviours checked: passed"
        return f"{self.checked} of {n} behaviours checked: passed"

    def rest(self) -> str:
        """``53 not run, 1 skipped`` — the behaviours not checked, by why."""
        parts = [f"{self.counts[s]} {s}" for s in ("skipped", "not run", "not covered") if self.counts[s]]
        return ", ".join(parts)


def scope(summary: dict[str, Any]) -> Scope:
    counts = dict.fromkeys(STATUSES, 0)
    rows = summary.get("behaviours") or []
    for b in rows:
        status = str(b.get("status", "not covered"))
        counts[status if status in counts else "not covered"] += 1
    return Scope(len(rows), counts)


def selection_text(summary: dict[str, Any]) -> str:
    """``profile smoke (the default on a site), every behaviour`` · ``profile full, narrowed to 1 behaviour
    (email-lowercase)``."""
    plan = summary.get("plan") or {}
    profile = summary.get("profile") or plan.get("profile")
    if not profile:
        return "no contract profile"
    default = ""
    if plan.get("default"):
        default = f" (the default on {'the emulator' if plan.get('target') == 'emulator' else 'a site'})"
    chosen = summary.get("selection") or {}
    which = "every behaviour"
    if chosen.get("narrowed"):
        ids = list(chosen.get("behaviours") or [])
        shown = ", ".join(ids[:6]) + (", …" if len(ids) > 6 else "")
        which = f"narrowed to {_plural(len(ids), 'behaviour')} ({shown})"
    return f"profile {profile}{default}, {which}"


def profile_text(plan: dict[str, Any]) -> str:
    """``smoke (the default on a site) — 74 tests, ~310 requests estimated, budget 500``."""
    default = (
        f" (the default on {'the emulator' if plan.get('target') == 'emulator' else 'a site'})"
        if plan.get("default")
        else ""
    )
    budget = f", budget {plan['budget']}" if plan.get("budget") is not None else ""
    return (
        f"{plan.get('profile')}{default} — {_plural(int(plan.get('tests') or 0), 'test')}, "
        f"~{plan.get('requests')} requests estimated{budget}"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def tests_sentence(summary: dict[str, Any]) -> str:
    """``54 tests selected of the suites' 825 (771 not selected): 50 passed, 0 failed, 4 skipped``."""
    tests = summary.get("tests") or {}
    passed, failed, skipped = (int(tests.get(k, 0)) for k in ("passed", "failed", "skipped"))
    seen = passed + failed + skipped
    selection = summary.get("selection") or {}
    selected = selection.get("selected", (summary.get("plan") or {}).get("tests"))
    suite = selection.get("suite_tests")
    head = _plural(seen, "test")
    if selected is not None:
        head = _plural(int(selected), "test") + " selected"
        if suite and int(suite) > int(selected):
            head += f" of the suites' {suite} ({int(suite) - int(selected)} not selected)"
        elif suite:
            head += " (every test of the suites)"
    text = f"{head}: {passed} passed, {failed} failed, {skipped} skipped"
    if selected is not None and seen < int(selected):
        text += f", {int(selected) - seen} not reached (the run stopped)"
    return text


def skip_groups(summary: dict[str, Any]) -> list[tuple[str, int]]:
    """Why tests were skipped: ``[(reason, tests)]``, most frequent first."""
    return [(str(g.get("reason")), int(g.get("tests", 0))) for g in summary.get("skipped_because") or []]


def group_skip_reason(reason: str) -> str:
    """The group a skip reason counts in: its prefix for the run-wide stops, else its own text."""
    for prefix in _SKIP_PREFIXES:
        if reason.startswith(prefix):
            return prefix
    return reason if len(reason) <= 200 else reason[:199] + "…"


def verdict(summary: dict[str, Any]) -> tuple[bool, str]:
    """Whether the run passed, and its verdict in one line that says what it covers."""
    ok = summary.get("exit_code", 1) == 0
    parts = []
    if contracts_ran(summary):
        s = scope(summary)
        parts.append(s.sentence() + (f" ({s.rest()})" if s.rest() and not s.counts["failed"] else ""))
    problems = str(summary.get("verdict") or "")
    if not ok and problems and problems != "all passed":
        parts.append(problems)
    gates = (summary.get("load") or {}).get("gates") or []
    if ok and gates:
        parts.append(f"load: {_plural(len(gates), 'CI gate')} passed")
    if summary.get("selfcheck") and ok:
        parts.append(problems)
    word = "PASSED" if ok else "FAILED"
    return ok, f"{word} — {'; '.join(p for p in parts if p) or problems}"


def cleanup_brief(summary: dict[str, Any]) -> str | None:
    """The clean-up in words a manager reads; None when the run kept no ledger."""
    c = summary.get("cleanup")
    if not c:
        return None
    left = c.get("left") or []
    stays = [x for x in left if x.get("undeletable")]
    removable = len(left) - len(stays)
    total = int(c.get("created", 0)) + int(c.get("found_by_name", 0))
    if removable:
        text = f"not removed from the target: {_plural(removable, 'object')} the run created (listed below)"
    else:
        text = f"every object the run created that an API can delete is gone ({total - len(stays)} of {total})"
    if stays:
        one = len(stays) == 1
        kinds = "/".join(sorted({f"{x.get('kind')}{'' if one else 's'}" for x in stays}))
        text += f"; {len(stays)} {kinds} stay{'s' if one else ''}, as no API deletes {'it' if one else 'them'}"
    return text


def next_steps(summary: dict[str, Any]) -> list[str]:
    """What to do next, most urgent first (at least one line)."""
    steps = []
    s = scope(summary)
    groups = skip_groups(summary)
    if s.counts["failed"]:
        steps.append(
            "Read the evidence of each failed behaviour below (the request and the answer): fix the integration "
            "or the site's settings, or raise it with Cisco, then run again."
        )
    problems = str(summary.get("verdict") or "")
    if summary.get("exit_code", 1) != 0 and not s.counts["failed"] and problems:
        steps.append(f"Resolve what failed the run: {problems}.")
    if any(reason.startswith("refused: ") for reason, _ in groups):
        steps.append(
            "Some tests were refused by the environment's allow: switches; allow them on a site where that is "
            "safe to check those behaviours."
        )
    if any(reason == "budget spent" for reason, _ in groups):
        steps.append("The request budget ran out: raise budget.max_requests or run a smaller profile.")
    if s.counts["skipped"]:
        steps.append(
            f"{_plural(s.counts['skipped'], 'behaviour')} could not be checked on this target (every test of "
            f"{'it' if s.counts['skipped'] == 1 else 'them'} was skipped): see why under What ran."
        )
    if s.counts["not run"]:
        steps.append("Run without --behaviour to check every behaviour before handing the report over.")
    left = (summary.get("cleanup") or {}).get("left") or []
    if any(not x.get("undeletable") for x in left):
        steps.append(f"Delete what is left: webex-harness cleanup --run {summary.get('run_id')}.")
    if not steps:
        steps.append(
            "Nothing to do: every behaviour the run selected passed and the run removed what an API can delete."
        )
    return steps


def manager_lines(summary: dict[str, Any]) -> list[str]:
    """The three to five lines on top: verdict, what ran, clean-up, what next."""
    _, line = verdict(summary)
    lines = [line]
    if contracts_ran(summary):
        certified = release_sentence(summary)
        version = f"; {certified}" if certified else ""
        lines.append(f"What ran: {selection_text(summary)} — {tests_sentence(summary)}{version}.")
    load = summary.get("load")
    if load:
        gates = load.get("gates") or []
        failed = sum(1 for g in gates if not g.get("passed"))
        gate_text = f", {len(gates) - failed} of {len(gates)} CI gates passed" if gates else ""
        cut = (
            " (interrupted)"
            if load.get("interrupted")
            else " (stopped early: budget spent)"
            if load.get("budget_spent")
            else ""
        )
        lines.append(f"Load: {load.get('users')} users for {load.get('run_time')}{cut}{gate_text}.")
    kill = kill_rate_line(summary)
    if kill:
        lines.append(f"Self-check: {kill}.")
    brief = cleanup_brief(summary)
    if brief:
        lines.append(f"Clean-up: {brief}.")
    steps = next_steps(summary)
    lines.append("Next: " + " ".join(steps[:2]))
    return lines[:5]


def cleanup_notes(summary: dict[str, Any]) -> list[str]:
    """What the clean-up's numbers mean, in plain words: contacts that stay, users that are only
    deactivated, reactivations and objects found by name, what could not be removed."""
    c = summary.get("cleanup") or {}
    left = c.get("left") or []
    notes = []
    contacts = sum(1 for x in left if x.get("undeletable") and x.get("kind") == "contact")
    if contacts:
        notes.append(
            f"{_plural(contacts, 'contact')} stay{'s' if contacts == 1 else ''} on the site: the XML API has no call "
            "that deletes a contact, so no run can remove them. Each is listed below (ID and name) for removal by "
            "hand in the host's Webex contacts; they do not fail the run."
        )
    lists = sum(1 for x in left if x.get("undeletable") and x.get("kind") == "dist-list")
    if lists:
        notes.append(
            f"{_plural(lists, 'distribution list')} stay{'s' if lists == 1 else ''} on the site: the XML API has no "
            "call that deletes a distribution list. Each is listed below (ID and name) for removal by hand in the "
            "host's Webex contacts; they do not fail the run."
        )
    users = int(c.get("deactivated_users", 0))
    if users:
        notes.append(
            f"{_plural(users, 'user')} counted as deleted {'is' if users == 1 else 'are'} deactivated, not removed: "
            "DelUser only deactivates an account (it stays on the site, DEACTIVATED)."
        )
    if c.get("reactivated"):
        n = int(c["reactivated"])
        notes.append(
            f"{_plural(n, 'user')} reactivated after deletion (SetUser ACTIVATED) count{'s' if n == 1 else ''} as "
            "created again: each life of an account is accounted for once."
        )
    if c.get("found_by_name"):
        n = int(c["found_by_name"])
        notes.append(
            f"{_plural(n, 'object')} found on the site by the run's name (the answer to {'its' if n == 1 else 'their'} "
            "create never arrived) are counted besides the creates."
        )
    removable = sum(1 for x in left if not x.get("undeletable"))
    if removable:
        notes.append(
            f"{_plural(removable, 'object')} could not be removed: webex-harness cleanup --run {summary.get('run_id')} "
            "tries again."
        )
    return notes


def cleanup_line(summary: dict[str, Any]) -> str | None:
    """The reconciliation (``812 created = … + 23 left (…)``), as the terminal says it."""
    c = summary.get("cleanup")
    return cleanup_sentence(c) if c else None


__all__ = [
    "STATUSES",
    "Scope",
    "cleanup_brief",
    "cleanup_line",
    "cleanup_notes",
    "contracts_ran",
    "document_url",
    "documents",
    "group_skip_reason",
    "manager_lines",
    "next_steps",
    "profile_text",
    "report_date",
    "report_kind",
    "report_title",
    "scope",
    "selection_text",
    "skip_groups",
    "target_label",
    "tests_sentence",
    "verdict",
]


#: what each self-check suite is called in the reports
SUITE_LABELS = {"examples": "example tests", "stateful": "state machines"}


def selfcheck_suites(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The self-check's suite blocks (``suite``, ``baseline_passed``, ``faults``, ``detected``,
    ``total``, ``kill_rate``, ``target``, ``missed``), examples first; a record written before the
    suites existed is one examples block. Empty when the run did no self-check."""
    sc = summary.get("selfcheck")
    if not sc:
        return []
    suites = sc.get("suites")
    if not isinstance(suites, dict) or not suites:
        suites = {"examples": {**sc, "suite": "examples"}}
    blocks = []
    for name in sorted(suites, key=lambda n: (n != "examples", n)):
        block = dict(suites[name])
        faults = list(block.get("faults") or [])
        detected = sum(1 for f in faults if f.get("detected"))
        block.setdefault("suite", name)
        block.setdefault("faults", faults)
        block.setdefault("detected", detected)
        block.setdefault("total", len(faults))
        block.setdefault("kill_rate", detected / len(faults) if faults else 0.0)
        block.setdefault("target", 1.0)
        block.setdefault("missed", [str(f.get("id")) for f in faults if not f.get("detected")])
        blocks.append(block)
    return blocks


def suite_kill_rate(block: dict[str, Any]) -> str:
    """``example tests 102/102 faults`` / ``state machines 95/104 (91 %)`` — the percentage shown when
    the suite is measured against a share below all."""
    label = SUITE_LABELS.get(str(block.get("suite")), str(block.get("suite")))
    text = f"{label} {block['detected']}/{block['total']} faults"
    if float(block.get("target", 1.0)) < 1.0 or block["detected"] != block["total"]:
        text += f" ({round(100 * float(block['kill_rate']))} %)"
    if not block.get("baseline_passed", True):
        text += ", baseline FAILED"
    return text


def kill_rate_line(summary: dict[str, Any]) -> str | None:
    """Each suite's kill rate side by side: ``example tests 102/102 faults; state machines 95/104
    (91 %)``; None without a self-check."""
    blocks = selfcheck_suites(summary)
    return "; ".join(suite_kill_rate(b) for b in blocks) if blocks else None


#: how a check's state reads in the reports
CHECK_OFF = "switched off by the environment file"


def check_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's checks (``summary["checks"]``: each with ``state`` worded — ``on``, or switched off by the
    environment file); [] when no contract test ran."""
    return [{**row, "state": "on" if row.get("on") else CHECK_OFF} for row in summary.get("checks") or []]


def checks_sentence(summary: dict[str, Any]) -> str | None:
    """``9 checks judged every answer (2 switched off by the environment file): 3 answers failed one``."""
    rows = summary.get("checks") or []
    if not rows:
        return None
    on = [r for r in rows if r.get("on")]
    off = len(rows) - len(on)
    failed = sum(int(r.get("failed", 0)) for r in on)
    text = f"{_plural(len(on), 'check')} judged every answer"
    if off:
        text += f" ({off} {CHECK_OFF})"
    return text + (f"; {_plural(failed, 'answer')} broke one" if failed else "; none was broken")
