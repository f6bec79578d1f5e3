"""A stand-in for a real Webex site: a site created on a running emulator through its control API,
described by an environment file with ``target: site`` that knows nothing of the emulator.

The harness sees what it would see on a customer's site: two URLs, a site name, credentials from
environment variables, declared settings — no control API, no clock, no faults. The project's own
tests use it to run the site-mode suite, the clean-up and the safety rails as a real user would::

    stand_in = make_stand_in(emulator.base_url, tmp_path)
    subprocess.run([... "webex-harness", "contracts", "--env", str(stand_in.env_file)],
                   env={**os.environ, **stand_in.variables})

The site keeps the documented limits switched on (usage limit 100 "no data found" failures per hour,
REST 600 requests per token per minute) unless ``settings`` says otherwise.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

#: The accounts a stand-in site has: the host the run acts as, then the roles a site run may use.
ROLES = ("admin", "invitee", "outsider", "probe")
#: Settings of a busy shared production site: the documented limits on.
SITE_SETTINGS: dict[str, Any] = {"usage_limit_per_hour": 100, "rest_rate_limit_per_minute": 600}


@dataclass
class StandIn:
    """A site on an emulator, and the environment file (plus its variables) that targets it."""

    base_url: str
    site: str
    env_file: Path
    variables: dict[str, str]
    users: dict[str, dict[str, Any]]
    rest_token: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def xml_url(self) -> str:
        return f"{self.base_url}/WBXService/XMLService"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/v1"

    def state(self) -> dict[str, Any]:
        """What the emulator holds for the site (for the test's own assertions, never the harness's)."""
        response = httpx.get(f"{self.base_url}/_emulator/sites/{self.site}/state", timeout=10.0)
        response.raise_for_status()
        return dict(response.json())


def _yaml_scalar(value: Any) -> str:
    return json.dumps(value)  # JSON scalars and lists are YAML flow values


def make_stand_in(
    base_url: str,
    folder: Path,
    *,
    settings: dict[str, Any] | None = None,
    declared: dict[str, Any] | None = None,
    roles: bool = True,
    budget: tuple[int, float] = (20000, 1800.0),
    allow_destructive: bool = False,
    allow_lockout: bool = False,
    extra_yaml: str = "",
    busy: dict[str, Any] | None = None,
    name: str = "standin",
) -> StandIn:
    """Create a site on the emulator at ``base_url`` and write ``folder/<name>.yaml`` for it.

    ``settings`` are the site's own (the documented limits by default); ``declared`` what the file
    declares under ``settings:`` (default: the same). ``roles`` adds the ``users:`` section (admin,
    invitee, outsider, probe). ``busy`` is passed to the control API as the site's ``busy`` options
    when given. ``extra_yaml`` is appended to the file as written.
    """
    base_url = base_url.rstrip("/")
    site_settings = {**SITE_SETTINGS, **(settings or {})}
    tag = secrets.token_hex(3)
    users = [
        {"webExID": "qa-host", "email": "qa-host@example.com", "firstName": "Qa", "lastName": "Host"},
        {
            "webExID": "qa-admin",
            "email": "qa-admin@example.com",
            "firstName": "Site",
            "lastName": "Admin",
            "siteAdmin": True,
        },
        {"webExID": "qa-invitee", "email": "qa-invitee@example.com", "firstName": "Ivy", "lastName": "Invitee"},
        {"webExID": "qa-outsider", "email": "qa-outsider@example.com", "firstName": "Otto", "lastName": "Outsider"},
        {"webExID": "qa-probe", "email": "qa-probe@example.com", "firstName": "Pro", "lastName": "Be"},
    ]
    payload: dict[str, Any] = {"name": f"{name}-{tag}", "settings": site_settings, "users": users}
    if busy is not None:
        payload["busy"] = busy
    response = httpx.post(f"{base_url}/_emulator/sites", json=payload, timeout=10.0)
    response.raise_for_status()
    info = response.json()
    by_id = {u["webExID"]: u for u in info["users"]}
    prefix = f"WXH_STANDIN_{tag.upper()}"
    variables = {f"{prefix}_TOKEN": info["rest_token"]}
    accounts: dict[str, dict[str, Any]] = {}
    for role, webex_id in (("host", "qa-host"), *((r, f"qa-{r}") for r in ROLES)):
        user = by_id[webex_id]
        variables[f"{prefix}_{role.upper()}_USER"] = user["webExID"]
        variables[f"{prefix}_{role.upper()}_PASSWORD"] = user["password"]
        accounts[role] = user
    lines = [
        "# A stand-in for a real site: a site on the harness's emulator, seen as a site.",
        "target: site",
        f"xml_url: {base_url}/WBXService/XMLService",
        f"rest_url: {base_url}/v1",
        f"site_name: {info['name']}",
        "credentials:",
        f"  webExID: ${{{prefix}_HOST_USER}}",
        f"  password: ${{{prefix}_HOST_PASSWORD}}",
        f"  rest_token: ${{{prefix}_TOKEN}}",
        "settings:",
    ]
    for key, value in (declared if declared is not None else site_settings).items():
        lines.append(f"  {key}: {_yaml_scalar(value)}")
    if roles:
        lines.append("users:")
        for role in ROLES:
            entry = (
                f'webExID: "${{{prefix}_{role.upper()}_USER}}", '
                f'password: "${{{prefix}_{role.upper()}_PASSWORD}}"'
            )  # quoted: ${ } inside { } is not YAML
            if role in ("invitee", "outsider"):
                entry += f", email: {accounts[role]['email']}"
            lines.append(f"  {role}: {{{entry}}}")
    lines += [
        "allow:",
        f"  destructive: {'true' if allow_destructive else 'false'}",
        f"  lockout: {'true' if allow_lockout else 'false'}",
        "budget:",
        f"  max_requests: {budget[0]}",
        f"  max_seconds: {budget[1]}",
        "cleanup_prefix: wxh",
    ]
    text = "\n".join(lines) + "\n" + extra_yaml
    folder.mkdir(parents=True, exist_ok=True)
    env_file = folder / f"{name}.yaml"
    env_file.write_text(text)
    return StandIn(base_url, info["name"], env_file, variables, accounts, info["rest_token"], site_settings)
