"""The environment as typed values: :class:`Environment` and one frozen dataclass per section.

What an environment file *says*, once it has been read and checked by :mod:`environment.loader`
(which documents the file format): the target and its URLs, the credentials and the roles'
accounts, the declared site settings, the opt-ins, the budget, and the ``load:`` section — scenario
mix, call weights, shape (:class:`LoadSettings`), CI gates (:class:`Thresholds`) and compare limits
(:class:`CompareLimits`). Nothing here reads a file or checks a value: every instance the harness
uses comes out of the loader, already valid. Secret values never appear in a ``repr`` or
:meth:`Environment.describe`.

Stands on :mod:`webex` (the site settings, the XML API security context) only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from webex_harness import shipped
from webex_harness.webex.settings import SiteSettings

if TYPE_CHECKING:  # webex.envelope imports lxml: a command line typo must not wait for it
    from webex_harness.webex.envelope import Security

__all__ = [
    "ALL_APIS",
    "AUTO",
    "DEFAULT_CALLS",
    "DEFAULT_CLEANUP_PREFIX",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_MAX_REQUESTS",
    "DEFAULT_MAX_SECONDS",
    "DEFAULT_MIX",
    "ENVIRONMENTS_DIR",
    "LIMIT_KEYS",
    "LOCAL_ENVIRONMENTS_DIR",
    "MIX_SCENARIOS",
    "ROLES",
    "SCENARIO_NAMES",
    "SHAPE_NAMES",
    "TARGETS",
    "XML_SERVICE_PATH",
    "Account",
    "Allow",
    "Budget",
    "CompareLimits",
    "Credentials",
    "Environment",
    "LoadSettings",
    "ProbeUser",
    "Roles",
    "Target",
    "Thresholds",
    "plain_number",
]

Target = Literal["emulator", "site"]
TARGETS: tuple[Target, ...] = ("emulator", "site")

#: The folder holding the shipped environment files (the package's ``environments/``).
ENVIRONMENTS_DIR = shipped("environments")
#: The folder a user keeps environment files in: ``./environments`` of the working folder, read before
#: the shipped ones.
LOCAL_ENVIRONMENTS_DIR = Path("environments")
#: The default target: the embedded emulator.
DEFAULT_ENVIRONMENT = ENVIRONMENTS_DIR / "emulator.yaml"

#: An URL the harness fills in when it starts the emulator.
AUTO = "auto"
XML_SERVICE_PATH = "/WBXService/XMLService"

#: The roles ``users:`` may declare, and what each is for (the text of a skip that needs one).
ROLES: dict[str, str] = {
    "admin": "an account with site-admin rights",
    "invitee": "a second ordinary user of the site, with its e-mail",
    "outsider": "an ordinary user with no part in the run's meetings, with its e-mail",
    "probe": "an expendable user the 403 rate-limit probe may lock out for two hours",
}

DEFAULT_MAX_REQUESTS = 5000
DEFAULT_MAX_SECONDS = 1800.0
DEFAULT_CLEANUP_PREFIX = "wxh"

#: ``--scenario`` values: "mixed" is the configured mix, the others run one scenario alone.
SCENARIO_NAMES: tuple[str, ...] = ("mixed", "calls", "lifecycle", "dashboard", "registration", "rest")
#: The scenarios a mix weighs (every scenario name but "mixed").
MIX_SCENARIOS: tuple[str, ...] = SCENARIO_NAMES[1:]
#: ``--shape`` values.
SHAPE_NAMES: tuple[str, ...] = ("steady", "step", "spike")
#: The mix when the file has none: mostly single calls, one user in eight per flow.
DEFAULT_MIX: dict[str, int] = {"calls": 4, "lifecycle": 1, "dashboard": 1, "registration": 1, "rest": 1}
#: The calls weights when the file has none: the walking skeleton's 3:1 plus cheap reads.
DEFAULT_CALLS: dict[str, int] = {
    "GetSessionInfo": 3,
    "CreateMeeting": 1,
    "GetUser": 1,
    "GetMe": 1,
    "LstsummaryMeeting": 1,
    "GetSite": 1,
}
#: The gate key meaning "every API without its own entry".
ALL_APIS = "*"


# --------------------------------------------------------------------------------------------
# Who the harness is, what it may do, how much


@dataclass(slots=True, frozen=True)
class Credentials:
    """Who the harness is on the target. Secret fields are left out of ``repr``."""

    webex_id: str
    password: str = field(repr=False)
    rest_token: str | None = field(default=None, repr=False)
    jwt_token: str | None = field(default=None, repr=False)

    def secrets(self) -> list[str]:
        """The non-empty password and tokens: values a report must mask."""
        return [v for v in (self.password, self.rest_token, self.jwt_token) if v]


@dataclass(slots=True, frozen=True)
class Allow:
    """Opt-ins for runs that change or endanger the site. Both off unless declared."""

    #: User creation/deletion and other site-wide changes.
    destructive: bool = False
    #: Rate-limit probing that can lock a user out for two hours.
    lockout: bool = False


@dataclass(slots=True, frozen=True)
class Checks:
    """The checks every answer of a contract run is judged by (``webex.wire_checks``): all but ``off``."""

    #: the checks the file switches off, by name
    off: frozenset[str] = frozenset()


@dataclass(slots=True, frozen=True)
class Budget:
    """Safety caps of one run."""

    max_requests: int = DEFAULT_MAX_REQUESTS
    max_seconds: float = DEFAULT_MAX_SECONDS


@dataclass(slots=True, frozen=True)
class Account:
    """One account a run may act as (a role of ``users:``). The password is left out of ``repr``."""

    webex_id: str
    password: str = field(repr=False)
    email: str | None = None


#: The old name of the probe account's type (``probe_user:``).
ProbeUser = Account


@dataclass(slots=True, frozen=True)
class Roles:
    """The accounts of ``users:``; a role that is not declared is ``None``."""

    admin: Account | None = None
    invitee: Account | None = None
    outsider: Account | None = None
    probe: Account | None = None

    def get(self, role: str) -> Account | None:
        """The account of ``role`` (``None`` when not declared); an unknown role is a ``KeyError``."""
        if role not in ROLES:
            raise KeyError(role)
        return cast(Account | None, getattr(self, role))

    def declared(self) -> dict[str, Account]:
        """The declared roles, in :data:`ROLES` order."""
        return {role: account for role in ROLES if (account := self.get(role)) is not None}

    def secrets(self) -> list[str]:
        """The declared roles' passwords."""
        return [account.password for account in self.declared().values() if account.password]


# --------------------------------------------------------------------------------------------
# The load: section


def plain_number(value: float) -> str:
    """A number as a person writes it: ``0.001``, ``812``, ``1000000`` (never ``1e+06``)."""
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _api_label(api: str) -> str:
    return "of every API" if api == ALL_APIS else api


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The CI gates of one load run (``load.thresholds``, :mod:`runs.gates` checks them).
    ``None``/empty means "no such gate".

    ``p95_ms`` and ``min_rps`` map an API name (or :data:`ALL_APIS`) to its limit;
    ``min_total_rps`` is the whole run's minimum rate.
    """

    failure_ratio: float | None = None
    p95_ms: Mapping[str, float] = field(default_factory=dict)
    min_rps: Mapping[str, float] = field(default_factory=dict)
    min_total_rps: float | None = None

    @property
    def empty(self) -> bool:
        return self.failure_ratio is None and not self.p95_ms and not self.min_rps and self.min_total_rps is None

    def overridden_by(self, other: Thresholds) -> Thresholds:
        """These thresholds with every key ``other`` sets replaced (the command line over the file)."""
        return replace(
            self,
            failure_ratio=other.failure_ratio if other.failure_ratio is not None else self.failure_ratio,
            p95_ms={**self.p95_ms, **other.p95_ms},
            min_rps={**self.min_rps, **other.min_rps},
            min_total_rps=other.min_total_rps if other.min_total_rps is not None else self.min_total_rps,
        )

    def describe(self) -> list[str]:
        """One short line per gate, for the start of a run (``p95 GetSessionInfo <= 500 ms``)."""
        lines = []
        if self.failure_ratio is not None:
            lines.append(f"failure ratio <= {plain_number(self.failure_ratio)}")
        lines += [f"p95 {_api_label(api)} <= {plain_number(ms)} ms" for api, ms in self.p95_ms.items()]
        if self.min_total_rps is not None:
            lines.append(f"rps (all requests) >= {plain_number(self.min_total_rps)}")
        lines += [f"rps {_api_label(api)} >= {plain_number(rps)}" for api, rps in self.min_rps.items()]
        return lines


@dataclass(frozen=True, slots=True)
class CompareLimits:
    """Verdict limits of ``webex-harness compare`` (``load.compare``, :mod:`runs.compare` applies them),
    each a fraction (``0.10`` = 10 %); ``max_failure_ratio_increase`` is absolute. ``None``: not set."""

    max_rps_drop: float | None = None
    max_p95_increase: float | None = None
    max_p99_increase: float | None = None
    max_failure_ratio_increase: float | None = None

    def over(self, base: CompareLimits) -> CompareLimits:
        """These limits, with every unset one taken from ``base``."""
        return replace(
            base, **{f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        )


#: The keys of ``load.compare`` (and the ``--max-…`` options of ``compare``).
LIMIT_KEYS: tuple[str, ...] = tuple(f.name for f in fields(CompareLimits))


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """The ``load:`` section (defaults filled in): what a load run starts, and how it is judged."""

    mix: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    calls: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CALLS))
    shape: str = "steady"
    thresholds: Thresholds = field(default_factory=Thresholds)
    compare: CompareLimits = field(default_factory=CompareLimits)

    def active_scenarios(self, scenario: str | None = None) -> dict[str, int]:
        """Scenario → weight of what a run starts: the mix without zeros, or ``scenario`` alone."""
        if scenario not in (None, "mixed"):
            return {str(scenario): 1}
        return {name: weight for name, weight in self.mix.items() if weight > 0}

    def to_dict(self) -> dict[str, Any]:
        """What a run starts: the mix, the call weights and the shape."""
        return {"mix": dict(self.mix), "calls": dict(self.calls), "shape": self.shape}


# --------------------------------------------------------------------------------------------
# The whole file


@dataclass(slots=True, frozen=True)
class Environment:
    """One target, as declared by an environment file (:mod:`environment.loader` documents the format)."""

    name: str
    path: Path | None
    target: Target
    xml_url: str
    rest_url: str
    site_name: str
    credentials: Credentials
    settings: SiteSettings = field(default_factory=SiteSettings)
    allow: Allow = field(default_factory=Allow)
    budget: Budget = field(default_factory=Budget)
    checks: Checks = field(default_factory=Checks)
    users: Roles = field(default_factory=Roles)
    load: LoadSettings = field(default_factory=LoadSettings)
    cleanup_prefix: str = DEFAULT_CLEANUP_PREFIX
    #: the file states ``settings.api_version`` (else a real site's release is read with GetAPIVersion);
    #: where a value came from, not a value: two environments of the same values are equal
    api_version_declared: bool = field(default=False, compare=False)

    @property
    def is_emulator(self) -> bool:
        return self.target == "emulator"

    @property
    def probe_user(self) -> Account | None:
        """The account the 403 probe may lock out (``users.probe``; ``probe_user:`` is its old name)."""
        return self.users.probe

    @property
    def needs_urls(self) -> bool:
        """True while an URL is still ``auto`` (the harness must start the emulator)."""
        return self.xml_url == AUTO or self.rest_url == AUTO

    def security(self) -> Security:
        """The XML API ``securityContext`` for the configured user."""
        from webex_harness.webex.envelope import Security

        return Security(
            site_name=self.site_name,
            webex_id=self.credentials.webex_id,
            password=self.credentials.password,
        )

    def with_urls(self, xml_url: str, rest_url: str) -> Environment:
        """A copy with the URLs filled in (the harness started the emulator)."""
        return replace(self, xml_url=xml_url, rest_url=rest_url.rstrip("/"))

    def secrets(self) -> list[str]:
        """Every secret value of the environment (credentials and every role's), no duplicates."""
        return list(dict.fromkeys(self.credentials.secrets() + self.users.secrets()))

    def describe(self) -> dict[str, Any]:
        """A report-safe summary: never a credential value."""
        return {
            "name": self.name,
            "path": str(self.path) if self.path is not None else None,
            "target": self.target,
            "xml_url": self.xml_url,
            "rest_url": self.rest_url,
            "site_name": self.site_name,
            "settings": self.settings.to_dict(),
            "allow": {"destructive": self.allow.destructive, "lockout": self.allow.lockout},
            "checks": {"off": sorted(self.checks.off)},
            "budget": {
                "max_requests": self.budget.max_requests,
                "max_seconds": self.budget.max_seconds,
            },
            "users": list(self.users.declared()),
            "cleanup_prefix": self.cleanup_prefix,
        }
