"""What load runs share outside locust: the ``WEBEX_HARNESS_*`` variables handed to the locust
process, the loopback/origin helpers, and the one check of the ``load:`` section that needs this
layer: :func:`load_settings` (issue 6).

No locust import: the CLI and :mod:`load.runner` import this module, and so does the locustfile
(at locust ``init``), so a file is read the same way on both sides. The ``load:`` section itself
(mix, calls, shape, thresholds, compare) is read and checked with the rest of the file by
:mod:`environment.loader` (:mod:`environment.load_section` documents it) into
:class:`~environment.model.LoadSettings`. What is left for here: an API in ``calls:`` must be in the
generators catalogue and not refused by the calls scenario (:data:`load.calls.UNSUPPORTED` says
why for each refused one) — facts of the layers above the environment's. A problem is an
:class:`~environment.errors.EnvironmentFileError`: one line naming the file and the dotted key.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.model import Environment, LoadSettings
from webex_harness.generators.catalogue import xml_api_names
from webex_harness.load.calls import UNSUPPORTED
from webex_harness.webex.hints import did_you_mean

__all__ = [
    "BUDGET_FILE_VAR",
    "ENV_FILE_VAR",
    "LOOPBACK_HOSTS",
    "REST_TOKEN_VAR",
    "REST_URL_VAR",
    "RUN_ID_VAR",
    "SCENARIO_VAR",
    "SHAPE_VAR",
    "STOP_FILE_VAR",
    "XML_URL_VAR",
    "is_loopback",
    "load_settings",
    "origin_of",
]

# The environment variables :func:`load.runner.run_load` hands the locust process (the locustfile's
# docstring describes each). Secrets (the REST token) never go on the command line, where ``ps`` shows them.
ENV_FILE_VAR = "WEBEX_HARNESS_ENV"
XML_URL_VAR = "WEBEX_HARNESS_XML_URL"
REST_URL_VAR = "WEBEX_HARNESS_REST_URL"
REST_TOKEN_VAR = "WEBEX_HARNESS_REST_TOKEN"
RUN_ID_VAR = "WEBEX_HARNESS_RUN_ID"
SCENARIO_VAR = "WEBEX_HARNESS_SCENARIO"
SHAPE_VAR = "WEBEX_HARNESS_SHAPE"
BUDGET_FILE_VAR = "WEBEX_HARNESS_BUDGET_FILE"
#: a file whose appearance ends the run as its run time would (``run_load(stop_when=…)``; master or local only)
STOP_FILE_VAR = "WEBEX_HARNESS_STOP_FILE"

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, default ports dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (the only place load may be aimed at without an environment file)."""
    return (urlsplit(url).hostname or "").lower() in LOOPBACK_HOSTS


def load_settings(environment: Environment) -> LoadSettings:
    """The ``load:`` section of ``environment``, with every API of ``calls:`` checked against the
    generators catalogue and the calls scenario."""
    path = environment.path or environment.name
    settings = environment.load
    catalogue = xml_api_names()
    for name in settings.calls:
        if name not in catalogue:
            hint = did_you_mean(name, catalogue, n=1)
            raise EnvironmentFileError(path, f"load.calls.{name}", f"not an XML API of the generators catalogue{hint}")
        if name in UNSUPPORTED:
            raise EnvironmentFileError(
                path, f"load.calls.{name}", f"the calls scenario cannot repeat it: {name} {UNSUPPORTED[name]}"
            )
    return settings
