"""Every key an environment file may hold, described once: :data:`KEYS`, a table of :class:`Key`.

The loader (:mod:`environment.loader`, and :mod:`environment.load_section` for ``load:``) takes from
this table the names each section accepts (any other is an unknown key), the kind of value each key
holds (the type check it makes), which keys are required, which are secrets and the default a
missing key takes; :mod:`environment.reference` renders the same table as ``docs/environment.md``.
A key the loader should read but this table lacks is refused as unknown, so the documentation
cannot fall behind the loader.

A dotted path names a key (``budget.max_requests``). A segment in angle brackets stands for a name
the file chooses (``users.<role>.password``, ``load.calls.<API>``): :attr:`Key.names` lists the names
it may take, or is ``None`` when any name goes (``load.calls`` checks its APIs when a load starts).
The site settings (``settings.*``) and the compare limits (``load.compare.*``) are read off their
dataclasses (:class:`webex.settings.SiteSettings`, :class:`environment.model.CompareLimits`), types
and defaults included: a field added there is a key here, and a test asks for its description.

Stands on :mod:`environment.model`, :mod:`webex.settings` and :mod:`webex.wire_checks` (the checks'
names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from webex_harness.environment.model import (
    AUTO,
    DEFAULT_CALLS,
    DEFAULT_CLEANUP_PREFIX,
    DEFAULT_MAX_REQUESTS,
    DEFAULT_MAX_SECONDS,
    DEFAULT_MIX,
    LIMIT_KEYS,
    MIX_SCENARIOS,
    ROLES,
    SHAPE_NAMES,
    TARGETS,
    XML_SERVICE_PATH,
)
from webex_harness.webex.settings import SiteSettings
from webex_harness.webex.wire_checks import CHECK_NAMES

__all__ = [
    "KEYS",
    "KINDS",
    "SETTING_DOCS",
    "Key",
    "Kind",
    "children",
    "find",
    "join_path",
    "key",
    "names",
]

#: The kinds of value a key holds: each is one check the loader makes.
Kind = Literal[
    "mapping",  # a section: a mapping of the keys below it
    "string",  # text; ${VAR} placeholders resolved
    "choice",  # one of Key.allowed
    "boolean",  # true or false (yes/no/on/off stay strings, and are refused)
    "integer",  # a whole number, never a boolean
    "number",  # an integer or a decimal
    "list of integers",
    "list of choices",  # a list of Key.allowed, each at most once
    "weight",  # a whole number ≥ 0
    "ratio",  # a number from 0 to 1
    "limit",  # a number ≥ 0, or a mapping of API name (or "*") to a number ≥ 0
    "fraction",  # a fraction such as 0.1 or a percentage such as 10%
]
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True, slots=True, eq=False)
class Key:
    """One key of an environment file.

    ``default`` is what a missing key means (``None``: nothing — a missing optional value, or a
    section whose keys take their own defaults); ``default_text`` says it in words where it is not
    one value (it depends on the target, or on the file's name). ``example`` is a value a file may
    give (the tests load each). ``names``: for a key whose last segment is ``<…>``, the names that
    segment may take (``None``: any).
    """

    path: str
    kind: Kind
    doc: str
    default: Any = None
    default_text: str = ""
    required: bool = False
    secret: bool = False
    allowed: tuple[str, ...] = ()
    names: tuple[str, ...] | None = None
    example: Any = None

    @property
    def section(self) -> str:
        """The path of the section holding this key (``""`` for the top of the file)."""
        return self.path.rpartition(".")[0]

    @property
    def name(self) -> str:
        """The last segment of the path (``max_requests``, ``<role>``)."""
        return self.path.rpartition(".")[2]

    @property
    def is_placeholder(self) -> bool:
        """True when the file chooses this key's name (``<role>``, ``<API>``)."""
        return self.name.startswith("<")


def join_path(section: str, name: str) -> str:
    """``section.name`` (just ``name`` at the top of the file)."""
    return f"{section}.{name}" if section else name


# --------------------------------------------------------------------------------------------
# The site settings: what each means for a file that declares a real site's


#: What each :class:`~webex.settings.SiteSettings` field declares (the type and default come from the field).
SETTING_DOCS: dict[str, str] = {
    "password_required": (
        'The site requires a password on every meeting, event and session ("All meetings must have a password").'
    ),
    "enable_display_name": "The site's feature toggle EnableDisplayName is on.",
    "consistent_locked_lobby": "The site's feature toggle ConsistentLockedLobby is on.",
    "ci_linked_site": (
        "The site is linked to Control Hub (CI unified): SetUser cannot change a user's supported services."
    ),
    "email_confirmation_required": "Users must confirm a change of their e-mail address.",
    "auto_record_all": (
        "The administrator has the site record every session with network-based recording (overrides autoRecord)."
    ),
    "private_meeting_types": "The meeting type IDs that are private meeting types on the site.",
    "e2ee_only_meeting_types": (
        "Only end-to-end encrypted meeting types are available to users: enabling a personal room fails (110063)."
    ),
    "edu_session_type": "The site offers the Education Instructor (EDU) session type.",
    "return_scheduled_pmr": "The site's toggle SupportXMLAPIReturnScheduledPMR is on.",
    "mobile_screen_capture": "GetSite reports securityOptions/EnableMobileScreenCapture as on.",
    "body_content_limit": "The most bodyContent elements one request may carry.",
    "usage_limit_per_hour": (
        'How many "no data found" failures of GetSessionInfo/GetUserCard a user may produce in an hour '
        "before the site blocks the user for two hours (403). The documentation gives no number; the usage "
        "guard stops a run at this number minus a margin of max(10, 20 %)."
    ),
    "rest_rate_limit_per_minute": (
        "REST requests per token per minute before HTTP 429; on a site the harness paces its REST requests "
        "under 90 % of it. 0 = no limit."
    ),
    "strict_auth": "Emulator only: the default site checks credentials too (otherwise it accepts any).",
    "response_delay_ms": (
        "Emulator only: milliseconds every XML and REST answer of the site is held back (at most 60000), "
        "to slow it down on purpose."
    ),
    "api_version": (
        "The XML API release the site runs, 40.1.0 to 40.12.x (GetAPIVersion answers it as apiVer; the "
        "emulator plays it). Contracts of what came later are skipped with the reason (docs/versions.md). "
        "On target `site`, leave it out and the harness reads it with one GetAPIVersion call."
    ),
}

#: An example for the settings whose value an example makes clearer than the default.
_SETTING_EXAMPLES: dict[str, Any] = {"api_version": "40.4.0"}

_SETTING_KINDS: dict[type, Kind] = {bool: "boolean", int: "integer", str: "string", list: "list of integers"}


def _setting_keys() -> list[Key]:
    defaults = SiteSettings()
    types = SiteSettings.types()
    return [
        Key(
            f"settings.{name}",
            _SETTING_KINDS[types[name]],
            SETTING_DOCS.get(name, ""),
            default=getattr(defaults, name),
            example=_SETTING_EXAMPLES.get(name),
        )
        for name in SiteSettings.names()
    ]


# --------------------------------------------------------------------------------------------
# load.compare: one limit per CompareLimits field

#: limit → (when ``compare`` calls a run regressed, its own default, an example)
_COMPARE_DOCS: dict[str, tuple[str, str, str]] = {
    "max_rps_drop": ("the rps of an API falls by more than this fraction", "0.1", "15%"),
    "max_p95_increase": ("the p95 latency of an API grows by more than this fraction", "0.2", "25%"),
    "max_p99_increase": ("the p99 latency of an API grows by more than this fraction", "0.3", "0.4"),
    "max_failure_ratio_increase": (
        "the failure ratio of an API grows by more than this (absolute: 0.01 is one point)",
        "0.01",
        "0.02",
    ),
}


def _compare_keys() -> list[Key]:
    keys = []
    for name in LIMIT_KEYS:
        doc, default, example = _COMPARE_DOCS.get(name, ("", "", "10%"))
        keys.append(
            Key(
                f"load.compare.{name}",
                "fraction",
                f"`webex-harness compare` calls a run regressed when {doc}." if doc else "",
                default_text=f"{default} (`compare`'s own)" if default else "",
                example=example,
            )
        )
    return keys


# --------------------------------------------------------------------------------------------
# The table, in the order of the file's sections

_ROLE_TEXT = "; ".join(f"`{role}`: {text}" for role, text in ROLES.items())

KEYS: tuple[Key, ...] = (
    Key(
        "name",
        "string",
        "The environment's name in reports and summaries. Not empty.",
        default_text="the file's name without `.yaml`",
        example="staging",
    ),
    Key(
        "target",
        "choice",
        "`emulator`: the harness's own emulator. `site`: a real Webex site — its URLs are required, its "
        "secrets must be `${VAR}` references, and destructive or lock-out tests run only when `allow` says so.",
        required=True,
        allowed=TARGETS,
        example="emulator",
    ),
    Key(
        "xml_url",
        "string",
        f"The XML API endpoint: an http(s) URL ending in `{XML_SERVICE_PATH}`, or `{AUTO}` (target "
        "`emulator` only: the harness starts the emulator on a free loopback port and fills the URL in).",
        default=AUTO,
        default_text=f"`{AUTO}` (target `emulator`); required for target `site`",
        example=f"https://acme.webex.com{XML_SERVICE_PATH}",
    ),
    Key(
        "rest_url",
        "string",
        f"The base of the REST API (a trailing `/` is dropped), or `{AUTO}` (target `emulator` only).",
        default=AUTO,
        default_text=f"`{AUTO}` (target `emulator`); required for target `site`",
        example="https://webexapis.com/v1",
    ),
    Key(
        "site_name",
        "string",
        "The Webex site name: the `siteName` of every XML request. Not empty.",
        required=True,
        example="acme",
    ),
    Key("credentials", "mapping", "Who the harness is on the target: the host account.", required=True),
    Key("credentials.webExID", "string", "The host's Webex ID. Not empty.", required=True, example="qa-host"),
    Key(
        "credentials.password",
        "string",
        "The host's password. Not empty.",
        required=True,
        secret=True,
        example="${WEBEX_PASSWORD}",
    ),
    Key(
        "credentials.rest_token",
        "string",
        "The bearer token of the REST API; empty means none (the REST tests and the `rest` load scenario "
        "then skip or refuse).",
        secret=True,
        example="${WEBEX_REST_TOKEN}",
    ),
    Key(
        "credentials.jwt_token",
        "string",
        "A JSON Web Token of the host, declared so that it is masked in every report; empty means none.",
        secret=True,
        example="${WEBEX_JWT}",
    ),
    Key(
        "settings",
        "mapping",
        "What the site has switched on, as its administrator set it up (ask them). Tests that depend on a "
        "setting read it from here; on target `emulator` the emulator's default site takes these values.",
        default_text="every setting at its default",
    ),
    *_setting_keys(),
    Key("allow", "mapping", "Opt-ins for tests that change or endanger the site.", default_text="both off"),
    Key(
        "allow.destructive",
        "boolean",
        "Run the tests marked `destructive`: creating and deleting users and other site-wide changes. "
        "Off: they are skipped, naming this key.",
        default=False,
        example=True,
    ),
    Key(
        "allow.lockout",
        "boolean",
        "Run the tests marked `lockout`: the 403 usage-limit probe, which locks `users.probe` out of "
        "GetSessionInfo and GetUserCard for two hours (the usage guard then leaves that account alone).",
        default=False,
        example=True,
    ),
    Key(
        "checks",
        "mapping",
        "The checks every answer of a contract run is judged by (`webex-harness checks` lists them; "
        "docs/checks.md). All are on unless switched off here.",
        default_text="every check on",
    ),
    Key(
        "checks.off",
        "list of choices",
        "Checks switched off for a site known to differ from the documentation: their rule is not applied, "
        "and the run's summary says each was switched off by the environment file.",
        default=[],
        allowed=CHECK_NAMES,
        example=["xml-exception-id"],
    ),
    Key("budget", "mapping", "The safety caps of one run.", default_text="both at their defaults"),
    Key(
        "budget.max_requests",
        "integer",
        "Every request a run sends to the target — contract workers, load processes, clean-up, retries — "
        "drawn from one counter. More than 0.",
        default=DEFAULT_MAX_REQUESTS,
        example=500,
    ),
    Key(
        "budget.max_seconds",
        "number",
        "How long each process may keep sending requests; `webex-harness run` stops a contract run that "
        "outlives it by more than two minutes. More than 0.",
        default=DEFAULT_MAX_SECONDS,
        example=900,
    ),
    Key(
        "users",
        "mapping",
        "The accounts a run may act as besides the host. Every role is optional: a test that needs an "
        "undeclared one is skipped, naming the key to add.",
        default_text="none declared",
    ),
    Key(
        "users.<role>",
        "mapping",
        f"One account: {_ROLE_TEXT}.",
        names=tuple(ROLES),
    ),
    Key("users.<role>.webExID", "string", "The account's Webex ID. Not empty.", required=True, example="qa-admin"),
    Key(
        "users.<role>.password",
        "string",
        "The account's password. Not empty.",
        required=True,
        secret=True,
        example="${WEBEX_ADMIN_PASSWORD}",
    ),
    Key(
        "users.<role>.email",
        "string",
        "The address the site has for the user (a test that invites the user needs it); contains `@`.",
        example="invitee@acme.example",
    ),
    Key(
        "probe_user",
        "mapping",
        "The old spelling of `users.probe` (still read); giving both is an error.",
    ),
    Key("probe_user.webExID", "string", "The probe account's Webex ID.", required=True, example="qa-probe"),
    Key(
        "probe_user.password",
        "string",
        "The probe account's password.",
        required=True,
        secret=True,
        example="${WEBEX_PROBE_PASSWORD}",
    ),
    Key(
        "load",
        "mapping",
        "What a load run (`webex-harness load`, the load phase of `run`) starts and how it is judged. "
        "`${VAR}` placeholders work in every string of it.",
        default_text="every key at its default",
    ),
    Key(
        "load.mix",
        "mapping",
        "The relative weights of the scenarios (locust user classes). At least one more than 0.",
        default=DEFAULT_MIX,
        example={"calls": 3, "rest": 1},
    ),
    Key(
        "load.mix.<scenario>",
        "weight",
        "`calls`: single XML API calls, weighted by `load.calls`; `lifecycle`: CreateMeeting → "
        "CreateMeetingAttendee ×n → GetSessionInfo → SetMeeting → DelMeeting; `dashboard`: list-heavy reads; "
        "`registration`: a registration burst against a form with required fields; `rest`: REST /v1/meetings "
        "operations. 0 switches a scenario off.",
        names=MIX_SCENARIOS,
        example=2,
    ),
    Key(
        "load.calls",
        "mapping",
        "API name → weight inside the `calls` scenario. At least one more than 0. Each API must be in the "
        "generators' catalogue and one the scenario can repeat (`webex-harness apis`): checked when a load starts.",
        default=DEFAULT_CALLS,
        example={"GetSessionInfo": 1, "GetMe": 1},
    ),
    Key("load.calls.<API>", "weight", "The weight of one XML API. 0 switches it off.", example=3),
    Key(
        "load.shape",
        "choice",
        "How many users run over time: `steady` (all of them, ramped up at the spawn rate), `step` (a quarter "
        "more each quarter of the run), `spike` (a fifth, all of them for the middle fifth of the run, then "
        "a fifth again).",
        default="steady",
        allowed=SHAPE_NAMES,
        example="spike",
    ),
    Key(
        "load.thresholds",
        "mapping",
        "The CI gates of a load run: each is PASS or FAIL in the run's summary and `load-gates.xml`, and a "
        "failed one makes the run exit 1. The command line's `--max-failure-ratio`, `--max-p95` and "
        "`--min-rps` override them key by key.",
        default_text="no gates",
    ),
    Key(
        "load.thresholds.failure_ratio",
        "ratio",
        "Failures ÷ requests of the whole run, at most.",
        example=0.01,
    ),
    Key(
        "load.thresholds.p95_ms",
        "limit",
        "The 95th percentile latency in milliseconds, at most: one number for every API, or a mapping of "
        'API name to limit (`"*"`: every API without its own).',
        example={"GetSessionInfo": 500, "*": 2000},
    ),
    Key(
        "load.thresholds.min_rps",
        "limit",
        "Requests per second, at least: one number for the whole run, or a mapping of API name to limit "
        '(`"*"`: every API without its own).',
        example=5,
    ),
    Key(
        "load.compare",
        "mapping",
        "The limits `webex-harness compare` judges two load runs by (its `--max-…` options override them).",
        default_text="`compare`'s own limits",
    ),
    *_compare_keys(),
    Key(
        "cleanup_prefix",
        "string",
        "The first part of the name of every object a run creates (`<prefix>-<run-id>-…`), by which "
        "`webex-harness cleanup` finds what a run left. Letters, digits, `-` and `_`, starting with a "
        "letter or digit.",
        default=DEFAULT_CLEANUP_PREFIX,
        example="qa",
    ),
)

_BY_PATH: dict[str, Key] = {k.path: k for k in KEYS}
_CHILDREN: dict[str, tuple[Key, ...]] = {}
for _key in KEYS:
    _CHILDREN[_key.section] = (*_CHILDREN.get(_key.section, ()), _key)
del _key


def key(path: str) -> Key:
    """The key of a schema path (``budget.max_requests``, ``users.<role>.password``); ``KeyError`` if none."""
    return _BY_PATH[path]


def children(section: str) -> tuple[Key, ...]:
    """The keys directly inside ``section`` (a schema path; ``""``: the top of the file), in order."""
    return _CHILDREN.get(section, ())


def names(section: str) -> tuple[str, ...]:
    """The names ``section`` accepts, in order: its keys' names, or the names its ``<…>`` key may take.

    ``ValueError`` for a section that takes any name (``load.calls``): it has no fixed list.
    """
    accepted: list[str] = []
    for child in children(section):
        if not child.is_placeholder:
            accepted.append(child.name)
        elif child.names is None:
            raise ValueError(f"{section}: any name is accepted")
        else:
            accepted += child.names
    return tuple(accepted)


def find(dotted: str) -> Key | None:
    """The key a file's dotted key is (``users.admin.password`` → ``users.<role>.password``), or ``None``."""
    section = ""
    found: Key | None = None
    for part in dotted.split("."):
        found = _BY_PATH.get(join_path(section, part))
        if found is None:
            found = next(
                (
                    child
                    for child in children(section)
                    if child.is_placeholder and (child.names is None or part in child.names)
                ),
                None,
            )
        if found is None:
            return None
        section = found.path
    return found
