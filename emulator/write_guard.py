"""The safety net under the emulator's writes: an exception no handler foresaw, or a failure a
handler raised after it had already stored something, must not leave a half-done write behind.

Every write rule validates first and writes after (tests/test_failed_answers_change_nothing.py
checks it over every API); this net is for what a test cannot foresee. It costs nothing on a read
and, on a write, one :func:`mark` — the sizes of the site's keyed stores, a handful of ``len`` calls
— before the handler runs. When the answer is a failure, :func:`undo_additions` takes back every
object the failed request added to those stores: the sessions and their meetingUUIDs, users,
session tickets, contacts, distribution lists, library test authors, callbacks and REST meeting
series (so a create that stored its session and then broke linking it leaves neither behind).

What it cannot restore: a change made *inside* an object that already existed (a Set* that renamed
a meeting, then broke), an object a failed request removed, and additions to a store it also
removed from (it takes back as many as the store grew by, newest first). Those are the writes the
validate-first rule and its property test must keep right. Lazily made stores (every user's
recordings, the site's history) are not marked: they are what the site always had, made on first sight.

:func:`unexpected` words the failure an unforeseen exception becomes: the documented generic
FAILURE (``999999``, as for any malformed request), never an HTTP 500.
"""

from __future__ import annotations

import logging
from typing import Any

from webex_harness.emulator.model import Site
from webex_harness.webex.errors import WebexError, invalid_request

log = logging.getLogger("emulator")

#: The verbs of the APIs that only read (GetLoginTicket, which issues a ticket, is marked all the same:
#: :func:`writes`); every other API may write and is marked.
READ_VERBS = ("Get", "Lst", "Check", "Detect")
#: Reads that store something all the same (a login ticket).
WRITING_READS = frozenset({"GetLoginTicket", "GetloginurlUser"})
#: The sizes of a site's keyed stores before a write, in :func:`_stores` order.
Mark = tuple[int, ...]


def writes(api: str) -> bool:
    """Whether ``api`` (as the catalogue spells it) may store something: its requests are marked."""
    return api in WRITING_READS or not api.startswith(READ_VERBS)


#: A store a write adds to: a dict (its newest entries last) or a list.
Store = dict[str, Any] | list[Any]


def _stores(site: Site) -> tuple[Store, ...]:
    """The stores a write adds objects to, newest last (dicts and lists keep insertion order)."""
    stores: tuple[Store, ...] = (
        site.sessions,
        site.uuids,
        site.users,
        site.tickets,
        site.contacts,
        site.dist_lists,
        site.training_tests,
        site.callbacks,
    )
    return stores if site.rest is None else (*stores, site.rest.entries)  # deferred series too


def mark(site: Site) -> Mark:
    """The sizes of ``site``'s keyed stores now (before a write)."""
    rest = site.rest
    return (
        len(site.sessions),
        len(site.uuids),
        len(site.users),
        len(site.tickets),
        len(site.contacts),
        len(site.dist_lists),
        len(site.training_tests),
        len(site.callbacks),
        len(rest.entries) if rest is not None else 0,
    )


def undo_additions(site: Site, before: Mark) -> int:
    """Take back what a failed request added to ``site``'s keyed stores since ``before``; how many."""
    removed = 0
    for store, size in zip(_stores(site), before, strict=False):
        extra = len(store) - size
        if extra <= 0:
            continue
        removed += extra
        if isinstance(store, list):
            del store[size:]
        else:
            for _ in range(extra):
                store.popitem()  # dict and OrderedDict: the newest entry
    return removed


def unexpected(api: str, exc: Exception) -> WebexError:
    """The FAILURE an exception no rule foresaw becomes (and a log line with its traceback)."""
    if not isinstance(exc, (ValueError, KeyError, IndexError)):  # a bad value slipping past is no news
        log.error("unexpected %s in %s", type(exc).__name__, api, exc_info=exc)
    return invalid_request(f"invalid request for {api}: {exc}")
