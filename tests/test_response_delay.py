"""Site setting ``response_delay_ms``: the emulator holds back every XML and REST answer of the site
by that many milliseconds (an asyncio sleep), so a benchmark can slow a target down on purpose
(bench/compare_rates.py proves ``compare`` catches it). The mechanism is tested — what the sleep is
asked for — never the wall clock."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from webex_harness.emulator import busy_state
from webex_harness.emulator.app import create_app
from webex_harness.environment.loader import load_environment
from webex_harness.webex.envelope import Security, build_request
from webex_harness.webex.settings import MAX_RESPONSE_DELAY_MS, SiteSettings

ROOT = Path(__file__).resolve().parent.parent
XML_PATH = "/WBXService/XMLService"


def _exchange(app: Any, calls: list[tuple[str, str, bytes, dict[str, str]]]) -> list[httpx.Response]:
    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            return [await client.request(m, p, content=c, headers=h) for m, p, c, h in calls]

    return asyncio.run(go())


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every delay the emulator sleeps, recorded instead of slept."""
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr(busy_state, "pause", record)
    return delays


def _new_site(app: Any, settings: dict[str, Any]) -> dict[str, Any]:
    created = _exchange(
        app,
        [
            (
                "POST",
                "/_emulator/sites",
                json.dumps({"name": "slow", "settings": settings}).encode(),
                {"content-type": "application/json"},
            )
        ],
    )[0]
    assert created.status_code == 200, created.text
    return dict(created.json())


def test_the_default_is_no_delay_and_nothing_sleeps(pauses: list[float]) -> None:
    app = create_app()
    xml = build_request("user", "GetUser", {"webExId": "host"}, Security("harness", "host", "x"))
    answers = _exchange(
        app, [("POST", XML_PATH, xml, {}), ("GET", "/v1/meetings", b"", {"Authorization": "Bearer emulator-token"})]
    )
    assert [a.status_code for a in answers] == [200, 200]
    assert SiteSettings().response_delay_ms == 0 and pauses == []


def test_control_api_sets_the_delay_and_every_xml_and_rest_answer_of_that_site_sleeps_it(
    pauses: list[float],
) -> None:
    app = create_app()
    site = _new_site(app, {})
    changed = _exchange(
        app,
        [
            (
                "POST",
                "/_emulator/sites/slow/settings",
                b'{"response_delay_ms": 40}',
                {"content-type": "application/json"},
            )
        ],
    )[0]
    assert changed.status_code == 200 and changed.json()["response_delay_ms"] == 40
    host = next(u for u in site["users"] if u["webExID"] == "host")
    xml = build_request("user", "GetUser", {"webExId": "host"}, Security("slow", "host", host["password"]))
    bad_xml = build_request("user", "GetUser", {"webExId": "nobody"}, Security("slow", "host", host["password"]))
    rest = ("GET", "/v1/meetings", b"", {"Authorization": f"Bearer {site['rest_token']}"})
    other_site = build_request("user", "GetUser", {"webExId": "host"}, Security("harness", "host", "x"))
    answers = _exchange(
        app,
        [
            ("POST", XML_PATH, xml, {}),
            ("POST", XML_PATH, bad_xml, {}),
            rest,
            ("POST", XML_PATH, other_site, {}),
            ("GET", "/_emulator/health", b"", {}),
        ],
    )
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200]
    assert b"FAILURE" in answers[1].content, "a failure answer is delayed like a success"
    assert pauses == [0.04, 0.04, 0.04], "the slow site's XML (success and failure) and REST answers only"


def test_the_delay_is_a_site_setting_of_environment_files_and_new_sites(tmp_path: Path, pauses: list[float]) -> None:
    text = (ROOT / "environments" / "emulator.yaml").read_text()
    path = tmp_path / "slow.yaml"
    path.write_text(re.sub(r"(?m)^  response_delay_ms: 0\b", "  response_delay_ms: 25", text))
    assert load_environment(path).settings.response_delay_ms == 25
    app = create_app()
    site = _new_site(app, {"response_delay_ms": 7})
    assert site["settings"]["response_delay_ms"] == 7
    _exchange(app, [("GET", "/v1/meetings", b"", {"Authorization": f"Bearer {site['rest_token']}"})])
    assert pauses == [0.007]


@pytest.mark.parametrize(
    ("value", "seconds"), [(-5, 0.0), (0, 0.0), (250, 0.25), (10**9, MAX_RESPONSE_DELAY_MS / 1000)]
)
def test_a_negative_delay_is_none_and_a_huge_one_is_capped(value: int, seconds: float) -> None:
    assert SiteSettings(response_delay_ms=value).response_delay_seconds == seconds


def test_a_delay_that_is_not_a_whole_number_is_refused_by_the_control_api() -> None:
    app = create_app()
    answer = _exchange(
        app,
        [
            (
                "POST",
                "/_emulator/sites/harness/settings",
                b'{"response_delay_ms": "slow"}',
                {"content-type": "application/json"},
            )
        ],
    )[0]
    assert answer.status_code == 400 and "response_delay_ms" in answer.text
