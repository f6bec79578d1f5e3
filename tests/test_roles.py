"""Roles of a site run (``users:`` in the environment file) as the contract tests see them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.standin import make_stand_in
from webex_harness.emulator.server import RunningEmulator
from webex_harness.environment.loader import environment_from_mapping
from webex_harness.environment.model import Environment
from webex_harness.plugin.targets import SiteRegistry, declared_roles, missing_role_reason
from webex_harness.webex.envelope import Security

ROOT = Path(__file__).resolve().parent.parent


def _site(users: dict[str, dict[str, str]] | None = None) -> Environment:
    data = {
        "target": "site",
        "xml_url": "https://acme.webex.com/WBXService/XMLService",
        "rest_url": "https://webexapis.com/v1",
        "site_name": "acme",
        "credentials": {"webExID": "qa-host", "password": "${HOST_PW}"},
    }
    if users is not None:
        data["users"] = users
    return environment_from_mapping(
        data, path="environments/acme.yaml", env={"HOST_PW": "h-pw", "ADMIN_PW": "a-pw", "INVITEE_PW": "i-pw"}
    )


def test_a_missing_role_names_the_exact_key_the_file_and_what_it_is_for() -> None:
    env = _site()
    assert missing_role_reason(env, "admin") == (
        "needs users.admin in environments/acme.yaml (an account with site-admin rights)"
    )
    assert missing_role_reason(env, "invitee", "email").startswith(
        "needs users.invitee.email in environments/acme.yaml"
    )
    assert missing_role_reason(env, "qa-bob") == "needs a 'qa-bob' user, which environments/acme.yaml does not provide"


def test_a_real_site_offers_the_host_and_every_declared_role_with_their_emails() -> None:
    env = _site(
        {
            "admin": {"webExID": "qa-admin", "password": "${ADMIN_PW}"},
            "invitee": {"webExID": "qa-invitee", "password": "${INVITEE_PW}", "email": "ivy@acme.example"},
        }
    )
    users, emails = declared_roles(env)
    assert users == {
        "host": Security("acme", "qa-host", "h-pw"),
        "admin": Security("acme", "qa-admin", "a-pw"),
        "invitee": Security("acme", "qa-invitee", "i-pw"),
    }
    assert emails == {"invitee": "ivy@acme.example"}


def test_clean_up_may_act_as_every_role_admins_first() -> None:
    registry = SiteRegistry()
    users = [Security("acme", "qa-host", "h"), Security("acme", "qa-admin", "a"), Security("acme", "qa-invitee", "i")]
    registry.add("acme", users, admins=["qa-admin"])
    registry.add("acme", users, admins=["qa-admin"])  # every site_factory call registers them again
    assert [s.webex_id for s in registry.credentials("acme", "qa-invitee")] == ["qa-invitee", "qa-admin", "qa-host"]


def test_a_site_run_without_roles_skips_naming_the_key_to_add(emulator: RunningEmulator, tmp_path: Path) -> None:
    stand_in = make_stand_in(emulator.base_url, tmp_path, roles=False)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "contracts/test_listing.py::test_lstsummary_user_pages",
            "contracts/test_session_info.py::test_an_uninvited_user_sees_no_session_details",
            "--env",
            str(stand_in.env_file),
            "--run-dir",
            str(tmp_path / "run"),
        ],
        cwd=ROOT,
        env={**os.environ, **stand_in.variables},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"needs users.admin in {stand_in.env_file} (an account with site-admin rights)" in done.stdout
    assert f"needs users.invitee in {stand_in.env_file}" in done.stdout
