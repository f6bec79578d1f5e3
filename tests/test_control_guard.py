"""The control API refuses what a web page could send it (emulator/control_guard.py): a rebound Host,
a cross-site Origin, a POST that is not JSON, and — when the emulator has a token — a request without
it. A refused request changes nothing; health stays open."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from webex_harness.emulator.app import EmulatorApp, create_app

JSON = {"content-type": "application/json"}


def _send(app: EmulatorApp, method: str, path: str, headers: dict[str, str], body: bytes = b"{}") -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
            return await client.request(method, path, content=body, headers=headers)

    return asyncio.run(go())


def _faults_on(app: EmulatorApp) -> list[str]:
    state = _send(app, "GET", "/_emulator/sites/harness/state", {}, b"")
    assert state.status_code == 200, state.text
    return list(state.json()["faults"])


ENABLE = b'{"enable": ["list-paging"]}'


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"content-type": "text/plain"}, 415),
        ({"content-type": "application/x-www-form-urlencoded"}, 415),
        ({}, 415),
        ({**JSON, "host": "attacker.example:8080"}, 403),
        ({**JSON, "host": "127.evil.example:8080"}, 403),
        ({**JSON, "origin": "https://attacker.example"}, 403),
        ({**JSON, "origin": "null"}, 403),
    ],
    ids=[
        "text-plain",
        "form",
        "no-content-type",
        "rebound-host",
        "look-alike-host",
        "cross-site-origin",
        "null-origin",
    ],
)
def test_a_request_a_web_page_could_send_is_refused_and_changes_nothing(headers: dict[str, str], status: int) -> None:
    app = create_app()

    refused = _send(app, "POST", "/_emulator/sites/harness/faults", headers, ENABLE)

    assert refused.status_code == status, refused.text
    assert refused.json()["error"], "the answer names what is wrong"
    assert _faults_on(app) == [], "no fault was switched on"


@pytest.mark.parametrize(
    "headers",
    [
        JSON,
        {**JSON, "host": "localhost:8080"},
        {**JSON, "origin": "http://127.0.0.1:8080"},
        {**JSON, "host": "[::1]:80"},
    ],
    ids=["plain", "localhost", "own-origin", "ipv6-loopback"],
)
def test_a_json_request_from_this_machine_is_served(headers: dict[str, str]) -> None:
    app = create_app()

    served = _send(app, "POST", "/_emulator/sites/harness/faults", headers, ENABLE)

    assert served.status_code == 200, served.text
    assert _faults_on(app) == ["list-paging"]


def test_with_a_token_the_control_api_wants_it_but_health_stays_open() -> None:
    app = create_app(control_token="s3cret-token")

    assert _send(app, "POST", "/_emulator/sites/harness/faults", JSON, ENABLE).status_code == 401
    wrong = {**JSON, "authorization": "Bearer guess"}
    assert _send(app, "POST", "/_emulator/sites/harness/faults", wrong, ENABLE).status_code == 401
    assert _send(app, "GET", "/_emulator/health", {}, b"").status_code == 200
    right = {**JSON, "authorization": "Bearer s3cret-token"}
    assert _send(app, "POST", "/_emulator/sites/harness/faults", right, ENABLE).status_code == 200
    state = _send(app, "GET", "/_emulator/sites/harness/state", {"authorization": "Bearer s3cret-token"}, b"")
    assert state.json()["faults"] == ["list-paging"]


def test_an_emulator_beyond_loopback_always_has_a_token_and_a_given_one_wins() -> None:
    from webex_harness.runs.target_commands import control_token_for

    assert control_token_for("127.0.0.1", None) is None
    made = control_token_for("0.0.0.0", None)
    assert made is not None and len(made) >= 24 and made != control_token_for("0.0.0.0", None)
    assert control_token_for("0.0.0.0", "mine") == control_token_for("127.0.0.1", "mine") == "mine"


def test_the_control_client_sends_json_and_the_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from webex_harness.client.xml_client import CONTROL_TOKEN_VAR, ControlClient

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "ok"})

    monkeypatch.setenv(CONTROL_TOKEN_VAR, "s3cret-token")
    client = ControlClient("http://127.0.0.1:8080", http=httpx.Client(transport=httpx.MockTransport(answer)))
    client.reset()

    assert seen[0].headers["content-type"] == "application/json"
    assert seen[0].headers["authorization"] == "Bearer s3cret-token"


def test_the_site_state_masks_passwords_unless_asked_for_them() -> None:
    app = create_app()
    created = _send(app, "POST", "/_emulator/sites", JSON, b'{"name": "masked"}').json()
    stored = {u["webExID"]: u["password"] for u in created["users"]}  # the creator is told them
    assert all(stored.values())

    shown = _send(app, "GET", "/_emulator/sites/masked/state", {}, b"").json()
    asked = _send(app, "GET", "/_emulator/sites/masked/state?secrets=true", {}, b"").json()

    assert {u["password"] for u in shown["users"]} == {"********"}
    assert {u["webExID"]: u["password"] for u in asked["users"]} == stored
    assert not any(password in json.dumps(shown) for password in stored.values())
