"""Locustfile of ``bench/locust_overhead.py``: the harness's own ``calls`` scenario, flat out.

:class:`load.scenarios.CallsUser` unchanged — pre-built envelopes, setup, budget, byte-regex
judging, naming — except for its think time, which the bench sets to zero so that the locust
process, not the think time, limits throughput. Configured like ``webex-harness load`` configures
it: ``WEBEX_HARNESS_ENV`` (an environment file whose ``load.calls`` is ``GetSessionInfo: 1``) and
``WEBEX_HARNESS_XML_URL``.
"""

from __future__ import annotations

from locust import constant

from webex_harness.load.scenarios import CallsUser


class BenchCallsUser(CallsUser):
    """The ``calls`` scenario with no think time."""

    wait_time = constant(0)
