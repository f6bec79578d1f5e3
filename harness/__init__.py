"""webex-harness: contract and load tests for the Webex Meetings XML and REST APIs.

Public core shared by the emulator, the generators, the contract suites and the load scenarios:

- :mod:`harness.namespaces` — the documented namespace prefixes and URIs.
- :mod:`harness.errors` — the table of Webex exception IDs (one place, used by both sides).
- :mod:`harness.envelope` — build request envelopes, parse response envelopes (lxml).
- :mod:`harness.client` — the httpx XML client returning :class:`harness.envelope.XmlResponse`.
- :mod:`harness.environment` — ``environments/*.yaml`` loader.
"""

__version__ = "0.1.0"
