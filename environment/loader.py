"""Environment files: ``environments/<name>.yaml`` → a typed :class:`~environment.model.Environment`.

An environment file names one target — the embedded emulator (the default,
``environments/emulator.yaml``) or a real Webex site — with its URLs, its credentials, what the
site is declared to have switched on and the safety caps of a run. Its keys are those of
:data:`environment.schema.KEYS` — the names each section accepts, the kind of value of each key,
what is required, what is a secret and every default — and nothing else: any other key is an
error. ``docs/environment.md`` is that table rendered (``python -m
webex_harness.environment.reference``). The shortest valid file::

    target: emulator                # "emulator" | "site"
    site_name: harness
    credentials:
      webExID: ${WEBEX_USER:-host}
      password: ${WEBEX_PASSWORD:-emulator-pass}

Optional sections may also be left empty (``settings:`` with everything commented out).

Types are read strictly: a boolean is ``true``/``false`` only (``yes``, ``on`` and ``no`` stay
strings, so ``site_name: NO`` is the string "NO" and ``destructive: yes`` is an error), an
integer is never a boolean, and a duplicated key is an error rather than a silent overwrite.

**Placeholders.** Every string value (also inside ``load``) may reference environment variables:
``${VAR}`` is the variable's value, ``${VAR:-default}`` the default when the variable is unset or
empty (as in the shell), several may share one string (``https://${HOST}/x``), and ``$${`` is a
literal ``${``. Substituted values are not interpolated again. A variable that is unset and has
no default is an error naming it. :func:`environment.text.interpolate` is the one place that resolves them.

**Secrets.** For target ``site`` the credential secrets (``password``, ``rest_token``,
``jwt_token``, and every ``users.<role>.password``) must be ``${VAR}`` references: a literal
value is an error. Secret values never appear in an error message, a ``repr`` or
:meth:`~environment.model.Environment.describe`.

**Roles.** ``users:`` declares the accounts a site run may use besides the host (``credentials``):
``admin`` (site-admin rights: user management, site-wide queries), ``invitee`` and ``outsider``
(ordinary users, with their e-mail when a test must invite them) and ``probe`` (the expendable user
the 403 rate-limit probe may lock out). Each is ``{webExID, password, email?}``; every role is
optional, and a test needing a role that is not declared is skipped with the key to add. An unknown
role is an error ("did you mean"). ``probe_user:`` is the old spelling of ``users.probe`` and still
works; giving both is an error. Inside a ``{ }`` flow mapping a placeholder must be quoted
(``password: "${VAR}"``): an unquoted ``${`` there is a YAML syntax error.

**Errors.** Everything wrong with a file, in any section, raises
:class:`~environment.errors.EnvironmentFileError` (a ``ValueError``)
whose ``str()`` is one line, ``<path>: <dotted key>: <problem>``, e.g.
``environments/x.yaml: budget.max_requests: expected an integer, got 'ten'``.
One check of ``load:`` needs the layers above and waits until a load starts: that each API of
``load.calls`` is catalogued and repeatable (:func:`load.config.load_settings`).

This module reads and checks; the typed values it returns are those of :mod:`environment.model`,
the keys and their kinds :mod:`environment.schema`'s, and the ``load:`` section's checks are
:mod:`environment.load_section`'s. Stands on those, on :mod:`environment.errors` and on :mod:`webex`
(the site settings).
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from webex_harness.environment import schema
from webex_harness.environment.errors import EnvironmentFileError, describe_value, join_key, short, unknown_key
from webex_harness.environment.load_section import parse_load_section
from webex_harness.environment.model import (
    AUTO,
    ENVIRONMENTS_DIR,
    LOCAL_ENVIRONMENTS_DIR,
    XML_SERVICE_PATH,
    Account,
    Allow,
    Budget,
    Checks,
    Credentials,
    Environment,
    LoadSettings,
    Roles,
    Target,
)
from webex_harness.environment.text import has_placeholder, interpolate, parse_yaml
from webex_harness.webex.hints import did_you_mean
from webex_harness.webex.settings import SiteSettings, api_version_problem

__all__ = [
    "check_reachable",
    "environment_from_mapping",
    "load_environment",
    "resolve_environment_path",
]

# The names each section accepts: the schema's (environment/schema.py), nothing else.
TOP_LEVEL_KEYS = schema.names("")
CREDENTIAL_KEYS = schema.names("credentials")
SETTING_KEYS = schema.names("settings")
ALLOW_KEYS = schema.names("allow")
CHECKS_KEYS = schema.names("checks")
BUDGET_KEYS = schema.names("budget")
ROLE_KEYS = schema.names("users")
ACCOUNT_SECTION = "users.<role>"
PROBE_USER_SECTION = "probe_user"

_CLEANUP_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def environment_from_mapping(
    data: Any,
    *,
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    default_name: str | None = None,
) -> Environment:
    """Validate a parsed environment mapping and resolve its placeholders from ``env``
    (default ``os.environ``).

    ``path`` is used in error messages only; ``default_name`` is the name when the mapping
    has none (:func:`load_environment` passes the file stem).
    """
    reader = _Reader(path, os.environ if env is None else env)
    return reader.environment(data, default_name)


class _Reader:
    """Validates one parsed file; every error names ``path`` and the dotted key."""

    def __init__(self, path: str | Path | None, env: Mapping[str, str]) -> None:
        self.path = path
        self.env = env

    def fail(self, key: str, problem: str) -> EnvironmentFileError:
        return EnvironmentFileError(self.path, key, problem)

    # -- shapes -------------------------------------------------------------------------

    def mapping(self, value: Any, key: str, known: tuple[str, ...] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key or "(file)", f"expected a mapping, got {describe_value(value)}")
        for name in value:
            if not isinstance(name, str):
                raise self.fail(key or "(file)", f"keys must be strings, got {short(name)}")
            if known is not None and name not in known:
                raise self.fail(join_key(key, name), unknown_key(name, known))
        return cast(dict[str, Any], value)

    def section(self, data: dict[str, Any], key: str, known: tuple[str, ...]) -> dict[str, Any]:
        """An optional sub-mapping: absent or empty means all defaults."""
        value = data.get(key)
        if value is None:
            return {}
        return self.mapping(value, key, known)

    def string(self, value: Any, key: str, *, secret: bool = False) -> str:
        if not isinstance(value, str):
            shown = type(value).__name__ if secret else describe_value(value)
            raise self.fail(key, f"expected a string, got {shown}")
        return interpolate(value, self.env, path=self.path, key=key)

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"expected a boolean (true or false), got {describe_value(value)}")
        return value

    def integer(self, value: Any, key: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(key, f"expected an integer, got {describe_value(value)}")
        return value

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number, got {describe_value(value)}")
        return float(value)

    def int_list(self, value: Any, key: str) -> list[int]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of integers, got {describe_value(value)}")
        return [self.integer(item, f"{key}[{i}]") for i, item in enumerate(value)]

    def choices(self, value: Any, key: str, allowed: tuple[str, ...]) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of names, got {describe_value(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(f"{key}[{i}]", f"expected a name, got {describe_value(item)}")
            if item not in allowed:
                raise self.fail(f"{key}[{i}]", f"unknown name {item!r}{did_you_mean(item, allowed)}")
            if item in value[:i]:
                raise self.fail(f"{key}[{i}]", f"{item!r} is named twice")
        return list(value)

    def value(self, raw: Any, key: str, spec: schema.Key) -> Any:
        """``raw`` checked as the kind of value the schema gives ``spec`` (a string's placeholders
        resolved); ``key`` is the file's dotted key, which errors name."""
        if spec.kind == "string":
            return self.string(raw, key, secret=spec.secret)
        if spec.kind == "boolean":
            return self.boolean(raw, key)
        if spec.kind == "integer":
            return self.integer(raw, key)
        if spec.kind == "number":
            return self.number(raw, key)
        if spec.kind == "list of integers":
            return self.int_list(raw, key)
        if spec.kind == "list of choices":
            return self.choices(raw, key, spec.allowed)
        raise self.fail(key, f"no reader for a {spec.kind}")  # pragma: no cover - a new kind needs one here

    def required(self, data: dict[str, Any], key: str, parent: str = "") -> Any:
        if key not in data or data[key] is None:
            raise self.fail(join_key(parent, key), "missing (required)")
        return data[key]

    # -- sections -----------------------------------------------------------------------

    def environment(self, data: Any, default_name: str | None) -> Environment:
        if data is None:
            raise self.fail("(file)", "the file is empty (expected a mapping with 'target', …)")
        top = self.mapping(data, "", TOP_LEVEL_KEYS)

        raw_target = self.required(top, "target")
        targets = schema.key("target").allowed
        if raw_target not in targets:
            expected = " or ".join(repr(t) for t in targets)
            raise self.fail("target", f"expected {expected}, got {describe_value(raw_target)}")
        target = cast(Target, raw_target)

        if top.get("name") is not None:
            name = self.non_empty(self.value(top["name"], "name", schema.key("name")), "name")
        else:
            name = default_name or target

        xml_url = self.url(top, "xml_url", target, xml=True)
        rest_url = self.url(top, "rest_url", target, xml=False)
        site_name = self.non_empty(
            self.value(self.required(top, "site_name"), "site_name", schema.key("site_name")), "site_name"
        )
        credentials = self.credentials(top, target)
        settings = self.settings(top)
        allow = self.allow(top)
        budget = self.budget(top)
        checks = self.checks(top)
        users = self.users(top, target)
        load = self.load(top)

        prefix_key = schema.key("cleanup_prefix")
        cleanup_prefix: str = prefix_key.default
        if top.get("cleanup_prefix") is not None:
            cleanup_prefix = self.value(top["cleanup_prefix"], "cleanup_prefix", prefix_key)
            if not _CLEANUP_PREFIX_RE.match(cleanup_prefix):
                raise self.fail(
                    "cleanup_prefix",
                    f"expected letters, digits, '-' or '_' (not starting with '-' or '_'), got {short(cleanup_prefix)}",
                )

        return Environment(
            name=name,
            path=Path(self.path) if self.path is not None else None,
            target=target,
            xml_url=xml_url,
            rest_url=rest_url,
            site_name=site_name,
            credentials=credentials,
            settings=settings,
            allow=allow,
            budget=budget,
            checks=checks,
            users=users,
            load=load,
            cleanup_prefix=cleanup_prefix,
            api_version_declared="api_version" in (top.get("settings") or {}),
        )

    def non_empty(self, value: str, key: str) -> str:
        if not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def url(self, top: dict[str, Any], key: str, target: Target, *, xml: bool) -> str:
        if top.get(key) is None:
            if target == "site":
                raise self.fail(key, "missing (required for target 'site')")
            return cast(str, schema.key(key).default)
        value: str = self.value(top[key], key, schema.key(key))
        if value == AUTO:
            if target == "site":
                raise self.fail(key, "'auto' is only allowed for target 'emulator'; give the site's URL")
            return AUTO
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(key, f"expected 'auto' or an http(s) URL, got {short(value)}")
        try:
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise self.fail(key, f"invalid port in {short(value)}") from None
        if xml and not parts.path.endswith(XML_SERVICE_PATH):
            raise self.fail(key, f"expected an URL ending in {XML_SERVICE_PATH}, got {short(value)}")
        return value if xml else value.rstrip("/")

    def credentials(self, top: dict[str, Any], target: Target) -> Credentials:
        data = self.mapping(self.required(top, "credentials"), "credentials", CREDENTIAL_KEYS)
        values: dict[str, str | None] = {}
        for spec in schema.children("credentials"):
            name, key = spec.name, spec.path
            raw = data.get(name)
            if raw is None:
                if spec.required:
                    raise self.fail(key, "missing (required)")
                values[name] = spec.default
                continue
            if spec.secret:
                self.check_reference(raw, key, target)
            value = self.value(raw, key, spec)
            if spec.required:
                self.non_empty(value, key)
            values[name] = value or None
        return Credentials(
            webex_id=cast(str, values["webExID"]),
            password=cast(str, values["password"]),
            rest_token=values["rest_token"],
            jwt_token=values["jwt_token"],
        )

    def check_reference(self, raw: Any, key: str, target: Target) -> None:
        """For a real site, a secret must come from the environment, never the file."""
        if target == "site" and isinstance(raw, str) and not has_placeholder(raw):
            raise self.fail(key, "secrets must be ${VAR} references (a literal value was found in the file)")

    def settings(self, top: dict[str, Any]) -> SiteSettings:
        data = self.section(top, "settings", SETTING_KEYS)
        values = {
            name: self.value(raw, f"settings.{name}", schema.key(f"settings.{name}")) for name, raw in data.items()
        }
        if "api_version" in values:
            problem = api_version_problem(values["api_version"])
            if problem:
                raise self.fail("settings.api_version", problem)
        return SiteSettings().updated(values)

    def allow(self, top: dict[str, Any]) -> Allow:
        data = self.section(top, "allow", ALLOW_KEYS)
        return Allow(
            **{
                spec.name: self.value(data.get(spec.name, spec.default), spec.path, spec)
                for spec in schema.children("allow")
            }
        )

    def checks(self, top: dict[str, Any]) -> Checks:
        data = self.section(top, "checks", CHECKS_KEYS)
        spec = schema.key("checks.off")
        return Checks(off=frozenset(self.value(data.get(spec.name, spec.default), spec.path, spec)))

    def budget(self, top: dict[str, Any]) -> Budget:
        data = self.section(top, "budget", BUDGET_KEYS)
        requests, seconds = schema.key("budget.max_requests"), schema.key("budget.max_seconds")
        max_requests: int = self.value(data.get(requests.name, requests.default), requests.path, requests)
        if max_requests <= 0:
            raise self.fail("budget.max_requests", f"expected an integer > 0, got {max_requests}")
        max_seconds: float = self.value(data.get(seconds.name, seconds.default), seconds.path, seconds)
        if not max_seconds > 0 or max_seconds == float("inf"):
            raise self.fail("budget.max_seconds", f"expected a finite number > 0, got {max_seconds}")
        return Budget(max_requests=max_requests, max_seconds=max_seconds)

    def users(self, top: dict[str, Any], target: Target) -> Roles:
        data = self.section(top, "users", ROLE_KEYS)
        accounts: dict[str, Account | None] = {}
        for role, raw in data.items():
            accounts[role] = None if raw is None else self.account(raw, f"users.{role}", target, ACCOUNT_SECTION)
        if top.get("probe_user") is not None:
            if accounts.get("probe") is not None:
                raise self.fail(
                    "probe_user",
                    "given together with users.probe (probe_user is the deprecated "
                    "name of users.probe: keep only users.probe)",
                )
            accounts["probe"] = self.account(top["probe_user"], "probe_user", target, PROBE_USER_SECTION)
        return Roles(**accounts)

    def account(self, raw: Any, key: str, target: Target, section: str) -> Account:
        """One account (``users.<role>``, ``probe_user``): ``section`` is its schema path."""
        data = self.mapping(raw, key, schema.names(section))
        values: dict[str, str | None] = {}
        for spec in schema.children(section):
            where = join_key(key, spec.name)
            if spec.required:
                item = self.required(data, spec.name, key)
            elif data.get(spec.name) is None:
                values[spec.name] = spec.default
                continue
            else:
                item = data[spec.name]
            if spec.secret:
                self.check_reference(item, where, target)
            values[spec.name] = self.non_empty(self.value(item, where, spec), where)
        email = values.get("email")
        if email is not None and "@" not in email:
            raise self.fail(join_key(key, "email"), f"expected an e-mail address, got {short(email)}")
        return Account(webex_id=cast(str, values["webExID"]), password=cast(str, values["password"]), email=email)

    def load(self, top: dict[str, Any]) -> LoadSettings:
        """``load:``: placeholders resolved in every string, then every key checked
        (:func:`environment.load_section.parse_load_section`)."""
        if top.get("load") is None:
            return LoadSettings()
        data = self.mapping(top["load"], "load")
        return parse_load_section(cast(dict[str, Any], self.free_form(data, "load")), self.path)

    def free_form(self, value: Any, key: str) -> Any:
        """Interpolate every string inside a free-form value; keys stay as written."""
        if isinstance(value, str):
            return interpolate(value, self.env, path=self.path, key=key)
        if isinstance(value, dict):
            return {k: self.free_form(v, join_key(key, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.free_form(v, f"{key}[{i}]") for i, v in enumerate(value)]
        return value


# --------------------------------------------------------------------------------------------
# Loading


def resolve_environment_path(name_or_path: str | Path | None) -> Path:
    """``None`` → the default (emulator); a bare name such as ``emulator`` or ``site.example``
    → ``environments/<name>.yaml``; anything else (a ``.yaml``/``.yml`` file name or a path
    with a separator) → that path.
    """
    if name_or_path is None:
        return _local_first("emulator")
    text = str(name_or_path)
    is_path = (
        isinstance(name_or_path, Path)
        or text.endswith((".yaml", ".yml"))
        or "/" in text
        or os.sep in text
        or (os.altsep is not None and os.altsep in text)
    )
    if is_path:
        return Path(text).expanduser().absolute()
    return _local_first(text)


def _local_first(name: str) -> Path:
    """``./environments/<name>.yaml`` of the working folder if it exists, else the shipped file of that
    name (which the loader reports as not found, naming both places, if it does not exist either)."""
    local = LOCAL_ENVIRONMENTS_DIR / f"{name}.yaml"
    if local.is_file():
        return local.absolute()
    return ENVIRONMENTS_DIR / f"{name}.yaml"


def load_environment(path: str | Path, env: Mapping[str, str] | None = None) -> Environment:
    """Read, validate and interpolate one environment file.

    ``env`` holds the variables for ``${VAR}`` placeholders; it defaults to ``os.environ``.
    Raises :class:`EnvironmentFileError` for every problem, with a one-line message.
    """
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        if file.parent == ENVIRONMENTS_DIR:  # a bare name found neither in ./environments nor shipped
            shipped_names = ", ".join(sorted(p.stem for p in ENVIRONMENTS_DIR.glob("*.yaml")))
            raise EnvironmentFileError(
                LOCAL_ENVIRONMENTS_DIR / file.name,
                "(file)",
                f"file not found (nor a shipped environment of that name: {shipped_names})",
            ) from None
        raise EnvironmentFileError(path, "(file)", "file not found") from None
    except IsADirectoryError:
        raise EnvironmentFileError(path, "(file)", "is a directory, not a file") from None
    except OSError as exc:
        raise EnvironmentFileError(path, "(file)", f"cannot read: {exc.strerror or exc}") from None
    data = parse_yaml(raw, path)
    return environment_from_mapping(data, path=path, env=env, default_name=file.stem)


def check_reachable(env: Environment, timeout: float = 3.0) -> None:
    """Fail fast when the XML API host does not accept a TCP connection.

    ``auto`` URLs (an emulator the harness has not started yet) are not checked. Raises
    :class:`EnvironmentFileError` with key ``xml_url``.
    """
    if env.xml_url == AUTO:
        return
    parts = urlsplit(env.xml_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    where = env.path if env.path is not None else env.name
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except TimeoutError:
        raise EnvironmentFileError(
            where, "xml_url", f"cannot reach {host}:{port}: timed out after {timeout:g}s"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise EnvironmentFileError(where, "xml_url", f"cannot reach {host}:{port}: {reason}") from None
