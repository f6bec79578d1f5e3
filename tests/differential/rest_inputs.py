"""The corpus's REST requests: ``/v1/meetings`` on one site, in an order where later requests read
what earlier ones made — creates (meetings, a webinar, a weekly series), lists (pages, windows, by
number, by series), reads, updates (``generators.rest`` bodies and its edge cases, a PUT that is not
whole, fields an update cannot change), occurrences (read, changed, cancelled), registrants, hostile
meeting IDs and bodies, a clock move, deletes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.differential.corpus import Input
from tests.differential.recording import HOST, JSON, Headers, Recorder

#: REST meeting IDs a hostile client tries.
HOSTILE_IDS = (
    "0",
    "..",
    "%2e%2e%2f",
    "x" * 300,
    "abc_I_253402300800",
    "abc_I_-1",
    "abc_I_nan",
    "\u0661\u0662",
    "%00",
    "'; DROP TABLE meetings;--",
)
SERIES_RULE = "FREQ=WEEKLY;INTERVAL=1;COUNT=4"


def _json(answer_body: bytes) -> Any:
    try:
        return json.loads(answer_body)
    except ValueError:
        return None


def send_rest(rec: Recorder, site_name: str, token: str, now: datetime) -> None:
    """Every REST input, on the site ``site_name`` whose REST token is ``token``."""
    from webex_harness.generators import rest as rest_gen

    auth: Headers = (HOST, ("authorization", f"Bearer {token}"), ("content-type", JSON))

    def rest(method: str, path: str, body: Any, note: str, query: str = "", headers: Headers = auth) -> Any:
        answer = rec.rest(method, path, body, note, headers, query)
        return _json(answer.body) if answer.status == 200 else None

    made: list[dict[str, Any]] = []
    for seed in range(1, 7):
        created = rest("POST", "/v1/meetings", rest_gen.valid_create_body(seed, now), f"create, seed {seed}")
        if isinstance(created, dict):
            made.append(created)
    webinar = rest(
        "POST",
        "/v1/meetings",
        rest_gen.valid_create_body(8, now, scheduled_type="webinar") | {"panelistPassword": None},
        "create a webinar, no panelist password",
    )
    series = rest(
        "POST", "/v1/meetings", rest_gen.valid_create_body(5, now) | {"recurrence": SERIES_RULE}, "create a series"
    )
    rest("GET", "/v1/meetings", None, "list")
    rest("GET", "/v1/meetings", None, "list, 2 a page", query="max=2")
    rest("GET", "/v1/meetings", None, "list, odd max", query="max=-1")
    rest("GET", "/v1/meetings", None, "list of a window", query="from=2026-11-01T00:00:00Z&to=2027-03-01T00:00:00Z")
    rest("GET", "/v1/meetings", None, "list, meetingType", query="meetingType=meetingSeries")
    for meeting in made:
        rest("GET", f"/v1/meetings/{meeting['id']}", None, "get")
        rest("GET", "/v1/meetings", None, "list by number", query=f"meetingNumber={meeting.get('meetingNumber', '')}")
    if isinstance(series, dict):
        sid = series["id"]
        query = f"meetingSeriesId={sid}&meetingType=scheduledMeeting&from=2026-11-01T00:00:00Z&to=2027-06-01T00:00:00Z"
        listed = rest("GET", "/v1/meetings", None, "the series' occurrences", query=query)
        items = listed.get("items", []) if isinstance(listed, dict) else []
        for n, item in enumerate(items[:3]):
            rest("GET", f"/v1/meetings/{item['id']}", None, f"occurrence {n}")
        if len(items) >= 2:
            rest("PATCH", f"/v1/meetings/{items[0]['id']}", {"title": "one occurrence moved"}, "patch an occurrence")
            rest("DELETE", f"/v1/meetings/{items[1]['id']}", None, "cancel an occurrence")
        rest("GET", "/v1/meetings", None, "the series after changes", query=query + "&current=false")
        rest("GET", f"/v1/meetings/{sid}", None, "the series")
        rest("POST", f"/v1/meetings/{sid}/registrants", {"firstName": "Reg", "lastName": "One"}, "registrant, no email")
    if isinstance(webinar, dict):
        wid = webinar["id"]
        rest("GET", f"/v1/meetings/{wid}", None, "the webinar")
        person = {"firstName": "Reg", "lastName": "Istrant", "email": "reg.istrant@example.com"}
        rest("POST", f"/v1/meetings/{wid}/registrants", person, "register for the webinar")
        rest("GET", f"/v1/meetings/{wid}/registrants", None, "the webinar's registrants")
        rest("PATCH", f"/v1/meetings/{wid}", {"scheduledType": "meeting"}, "a webinar made a meeting")
    if made:
        first = made[0]["id"]
        for seed in (11, 12):
            rest("PATCH", f"/v1/meetings/{first}", rest_gen.valid_update_body(seed, now), f"patch, seed {seed}")
            rest("PUT", f"/v1/meetings/{first}", rest_gen.valid_update_body(seed, now), f"put, seed {seed}")
        rest("PUT", f"/v1/meetings/{first}", {"title": "only a title"}, "put with only a title")
        rest("PATCH", f"/v1/meetings/{first}", {"title": "only a title"}, "patch with only a title")
        rest("PATCH", f"/v1/meetings/{first}", {"meetingNumber": "123456789", "id": "x"}, "fields not updatable")
        for case in rest_gen.rest_edge_cases(3, now):
            rest(case["method"], f"/v1/meetings/{first}", case["body"], f"edge {case['id']}")
        rest("PATCH", f"/v1/meetings/{first}", {"title": "lone \udc80 surrogate"}, "lone surrogate title")
        rest("PATCH", f"/v1/meetings/{first}", [1, 2, 3], "a list body")
        rec.rest("PATCH", f"/v1/meetings/{first}", None, "no body", auth)
        rec.send(Input("rest", "PATCH", f"/v1/meetings/{first}", b"{not json", "", auth, "", "malformed JSON"))
    for mid in HOSTILE_IDS:
        rest("GET", f"/v1/meetings/{mid}", None, f"hostile id {mid[:20]!r}")
        rest("DELETE", f"/v1/meetings/{mid}", None, f"hostile id {mid[:20]!r}")
    rest("GET", "/v1/meetings", None, "no token", headers=(HOST,))
    rest("GET", "/v1/meetings", None, "wrong token", headers=(HOST, ("authorization", "Bearer nope")))
    rest(
        "POST",
        "/v1/meetings",
        {"title": "text/plain"},
        "text/plain body",
        headers=(auth[0], auth[1], ("content-type", "text/plain")),
    )
    rest("GET", "/v1/people", None, "another REST resource")
    rec.control("POST", f"/sites/{site_name}/clock", {"advance_seconds": 604800}, "clock +7 days")
    rest("GET", "/v1/meetings", None, "list a week later")
    for meeting in made:
        rest("DELETE", f"/v1/meetings/{meeting['id']}", None, "delete")
        rest("GET", f"/v1/meetings/{meeting['id']}", None, "get after delete")
    rest(
        "POST",
        "/v1/meetings",
        rest_gen.valid_create_body(9, now, scheduled_type="webinar"),
        "create a webinar after a clock move",
    )
    rest("GET", "/v1/meetings", None, "list at the end")
