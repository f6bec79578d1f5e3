"""The webex-harness locustfile: every load scenario, weighted by the environment file (issue 6).

``webex-harness load`` runs it through :func:`load.runner.run_load` (a locust subprocess with a
hard time bound). By hand, against an emulator on port 8080::

    webex-harness emulator --port 8080 &
    WEBEX_HARNESS_XML_URL=http://127.0.0.1:8080/WBXService/XMLService \\
        locust -f load/locustfile.py --headless -u 8 -r 8 -t 20s --host http://127.0.0.1:8080

add ``,load/shapefile.py`` to ``-f`` and ``WEBEX_HARNESS_SHAPE=step|spike`` for a load shape
(:mod:`load.shapes`), or name user classes (``CallsUser``) to run only those. Distributed: the
same command with ``--master --expect-workers N`` and, N times, ``--worker --master-host
127.0.0.1`` (same variables), or ``--processes N``.

Scenarios (user classes, :mod:`load.scenarios`; their weights are the file's ``load.mix``):

==============  ====================  ===================================================
scenario        class                 what one user does
==============  ====================  ===================================================
calls           ``CallsUser``         single XML calls weighted by ``load.calls``
lifecycle       ``LifecycleUser``     CreateMeeting → CreateMeetingAttendee ×3 →
                                      GetSessionInfo → SetMeeting → DelMeeting
dashboard       ``DashboardUser``     LstsummaryMeeting, LstsummarySession,
                                      LstMeetingAttendee, LstCalendarSession, GetUser, GetMe
registration    ``RegistrationUser``  CreateMeetingAttendee burst against a form with
                                      required fields (1 in 5 expects FAILURE 040014)
rest            ``RestApiUser``       REST /v1/meetings create/get/patch/list/delete
==============  ====================  ===================================================

Environment variables (read once per locust process at ``init``, never at import time):

``WEBEX_HARNESS_ENV``
    The environment file (a path or a bare name such as ``emulator``); default
    ``environments/emulator.yaml``. Its credentials sign every envelope, its ``load:`` section
    gives the mix, the call weights and the shape (:mod:`environment.load_section`), and its
    ``budget.max_requests`` caps the requests of each locust process (see the next variable).
``WEBEX_HARNESS_BUDGET_FILE``
    The run's shared request counter (:mod:`workspace.budget`), set by ``webex-harness load``: every
    process of the run draws set-up, tasks and clean-up from it, so together they stay within
    ``budget.max_requests``. Unset (by hand), each process has ``budget.max_requests`` to itself.
``WEBEX_HARNESS_XML_URL``
    The XML API URL; overrides the file's ``xml_url`` and is required when that is ``auto``.
``WEBEX_HARNESS_REST_URL`` / ``WEBEX_HARNESS_REST_TOKEN``
    The REST base and bearer token of the ``rest`` scenario (default: the file's ``rest_url``
    — for an emulator the XML URL's origin + ``/v1`` — and ``credentials.rest_token``).
``WEBEX_HARNESS_SCENARIO``
    Run one scenario only (``calls`` … ``rest``; ``mixed`` or unset = the file's mix).
``WEBEX_HARNESS_SHAPE``
    ``step`` or ``spike``, read by :mod:`load.shapefile` when it is among the locustfiles.
``WEBEX_HARNESS_RUN_ID``
    Optional: put into the names of meetings the run creates (``<cleanup_prefix>-<run id>-load-<n>``).

Targets: ``--host`` and the REST URL must be loopback or the environment's own origin; anything
else stops locust before the first request.

Naming and judging: requests are named by API (``CreateMeeting``) or REST operation
(``PATCH /v1/meetings/{id}``), never by URL; what users create before measuring is named
``"<Api> (setup)"``, what they delete when they stop ``"<Api> (clean-up)"``. A request fails when
the HTTP status is not 200, when it is a FAILURE envelope the scenario did not expect (the
message is ``FAILURE <exceptionID> <reason>``) or when it is not a Webex envelope; responses are
read with byte regexes, not an XML parser, to keep the load generator cheap.

Think time is ``between(0.01, 0.05)`` seconds: a closed model where load grows with ``-u``
rather than an unbounded flood that measures the load generator instead of the target.
"""

from __future__ import annotations

from webex_harness.load.rest_tasks import RestApiUser
from webex_harness.load.scenarios import CallsUser, DashboardUser, LifecycleUser, RegistrationUser

__all__ = ["CallsUser", "DashboardUser", "LifecycleUser", "RegistrationUser", "RestApiUser"]
