"""Every object a load run creates or renames carries ``<cleanup_prefix>-<run-id>``: the envelopes the
scenarios send name no session with a generated (Faker) name."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from webex_harness.client.naming import name_pattern, run_name
from webex_harness.load.calls import supported_calls
from webex_harness.load.envelopes import build_envelopes, names_objects, with_run_name
from webex_harness.webex.envelope import Security
from webex_harness.workspace.run_folder import new_run_id

_NAME = re.compile(rb"<(?:\w+:)?(confName|sessionName)>([^<]*)</")
SESSION_CREATES = {
    "CreateMeeting",
    "CreateEvent",
    "CreateTrainingSession",
    "CreateTeleconferenceSession",
    "CreateSupportSession",
}


def test_every_envelope_that_names_a_session_carries_the_run_name() -> None:
    run_id = new_run_id()
    prefix = run_name("wxh", run_id, "load")
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    envelopes = build_envelopes(Security("harness", "host", "pw"), now, prefix, dict.fromkeys(supported_calls(), 1))
    sent: list[tuple[str, bytes]] = [("CreateMeeting", e) for e in envelopes.create_meetings]
    sent.append(("CreateMeeting", envelopes.create_registration_meeting))
    sent += [(kind, e) for kind, e in envelopes.create_session.items()]
    sent += [(t.api, b"".join(t.parts)) for t in envelopes.set_meeting]
    sent += [(api, b"".join(t.parts)) for api, templates in envelopes.calls.items() for t in templates]
    pattern = name_pattern("wxh", run_id)
    named = [(api, name.decode()) for api, body in sent for _, name in _NAME.findall(body)]
    assert named, "the envelopes name their sessions"
    strays = [(api, name) for api, name in named if not pattern.match(name)]
    assert strays == [], f"named without wxh-{run_id}: {strays[:5]}"
    creates_named = {api for api, _ in named} & SESSION_CREATES
    assert creates_named == SESSION_CREATES & set(envelopes.calls), "every session create of the calls scenario"
    assert {"event", "training", "teleconference"} <= set(envelopes.create_session)


def test_with_run_name_replaces_only_the_name_element() -> None:
    body = b"<metaData><sessionName>Synergised matrix</sessionName><agenda>x</agenda></metaData>"
    assert with_run_name(body, "wxh-20260101-000000-abcd-load-event") == (
        b"<metaData><sessionName>wxh-20260101-000000-abcd-load-event</sessionName><agenda>x</agenda></metaData>"
    )
    assert names_objects("CreateEvent") and names_objects("SetMeeting") and not names_objects("LstsummaryMeeting")
