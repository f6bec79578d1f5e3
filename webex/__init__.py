"""The bottom layer: the facts of the Webex APIs everything else stands on, with no I/O of their own.

- :mod:`webex.namespaces` — the documented namespace prefixes and URIs.
- :mod:`webex.errors` — the one table of Webex exception IDs (used by the emulator and the tests).
- :mod:`webex.settings` — what a site can have switched on (:class:`~webex.settings.SiteSettings`).
- :mod:`webex.timezones` — the Webex time-zone table.
- :mod:`webex.envelope` — build request envelopes, read response envelopes (lxml).
- :mod:`webex.masking` — the one masking of credentials and secrets.
- :mod:`webex.behaviours` — the documented behaviours the harness proves (``behaviours.yaml``).
- :mod:`webex.lifeline` — the one process rule: every child of a run dies with it.

Every other package may import this one; it imports none of them. The emulator stands on it alone.
"""

__version__ = "0.1.0"
