"""Layer 4: talking to a target — the httpx clients and the rails every exchange passes.

- :mod:`client.xml_client` — the XML client (and the emulator's control client), the request budget.
- :mod:`client.rest_client` — the REST meetings client.
- The clean-up ledger: :mod:`client.kinds` (what creates, deletes and proves gone each kind of
  object — the one table), :mod:`client.journal` (``ledger-<run-id>.jsonl``: every object a run
  creates, written before its create, and its reading), :mod:`client.ledger_hooks` (the httpx hooks
  that journal creates and deletes from the wire), :mod:`client.cleaner` (delete, verify, find by
  name), :mod:`client.naming` (``<cleanup_prefix>-<run-id>-…``).
- :mod:`client.exchange_reader` — each XML exchange parsed once, shared by the hooks and the client.
- :mod:`client.site_safety` installs :mod:`client.usage_guard` (usage-limit lock-out guard) and
  :mod:`client.rest_pacing` (REST rate pacing) on every client of a site run.

Stands on :mod:`webex`, :mod:`environment` and :mod:`workspace`.
"""
