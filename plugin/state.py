"""The per-run state of the plugin, kept on ``config.stash`` under the typed keys below (one place
to see everything a pytest process remembers between hooks).

Set in ``pytest_configure`` (:mod:`plugin.pytest_plugin`): :data:`ENVIRONMENT`, :data:`SECRETS`,
:data:`RECORDER`, :data:`RUN_ID`, :data:`BUDGET_WATCH`. Set later, when first needed: the rest.

Stands on the plugin's job modules for the types it stores.
"""

from __future__ import annotations

import pytest

from webex_harness.environment.model import Environment
from webex_harness.plugin.budget import BudgetWatch
from webex_harness.plugin.plan import Plan, RequestCost
from webex_harness.plugin.request_costs import RequestCounter
from webex_harness.plugin.results import Recorder
from webex_harness.plugin.site_release import SiteRelease
from webex_harness.webex.masking import SecretSet

#: the loaded environment file
ENVIRONMENT = pytest.StashKey[Environment]()
#: every credential the run knows (declared, made, seen on the wire)
SECRETS = pytest.StashKey[SecretSet]()
#: the running test's evidence and the results of this process
RECORDER = pytest.StashKey[Recorder]()
#: the run's ID (shared by every xdist worker)
RUN_ID = pytest.StashKey[str]()
#: the skips a spent budget or a safety stop caused (also a plugin of its own)
BUDGET_WATCH = pytest.StashKey[BudgetWatch]()
#: the measured request costs per test (``plan.load_costs``), read once
COSTS = pytest.StashKey[dict[str, RequestCost]]()
#: per collected test, its guard markers (``destructive``, ``lockout``)
GUARDS = pytest.StashKey[dict[str, list[str]]]()
#: the run's plan, once made (under xdist the controller makes it once)
PLAN = pytest.StashKey[Plan]()
#: the requests each test sent through the target's HTTP client
COUNTER = pytest.StashKey[RequestCounter]()
#: the skip reason every later contract test gets once the budget is spent
BUDGET_SPENT = pytest.StashKey[str]()
#: the XML API release the run certifies against (declared, or read with GetAPIVersion once)
SITE_RELEASE = pytest.StashKey[SiteRelease]()
#: per test (``item.stash``): its contract ID, or None outside the shipped suites (``hooks.contract_id``)
CONTRACT_ID = pytest.StashKey[str | None]()
