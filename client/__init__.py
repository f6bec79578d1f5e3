"""Layer 4: talking to a target — the httpx clients and the rails every exchange passes.

- :mod:`client.xml_client` — the XML client (and the emulator's control client), the request budget.
- :mod:`client.rest_client` — the REST meetings client.
- :mod:`client.ledger` — every object a run creates, written before its create; the clean-up.
- :mod:`client.site_safety` installs :mod:`client.usage_guard` (usage-limit lock-out guard) and
  :mod:`client.rest_pacing` (REST rate pacing) on every client of a site run.

Stands on :mod:`webex`, :mod:`environment` and :mod:`workspace`.
"""
