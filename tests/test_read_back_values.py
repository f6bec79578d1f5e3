"""The read-back contracts' parts that need no site: which elements a row changes (from the catalogue),
the values it sends, the Set body's order, and the emulator's dropping of one element per Set API."""

from __future__ import annotations

from pathlib import Path

from webex_harness.contracts.read_back_doc import COMMAND, render
from webex_harness.contracts.read_back_pairs import PAIRS, pair
from webex_harness.contracts.read_back_values import Change, answer_path, changes, set_body, updatable
from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.registered import all_faults
from webex_harness.emulator.services.set_drops import DROPPED, honoured
from webex_harness.emulator.xmlio import Node
from webex_harness.generators.catalogue import all_apis, api
from webex_harness.plugin.run_names import own_name
from webex_harness.webex.envelope import parse_response


def _answer(body: str) -> object:
    xml = (
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service" '
        'xmlns:meet="http://www.webex.com/schemas/2002/06/service/meeting">'
        "<serv:header><serv:response><serv:result>SUCCESS</serv:result></serv:response></serv:header>"
        f'<serv:body><serv:bodyContent xsi:type="meet:getMeetingResponse" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{body}</serv:bodyContent></serv:body>'
        "</serv:message>"
    )
    return parse_response(xml.encode())


def test_every_set_api_of_the_catalogue_has_a_row_and_a_fault() -> None:
    set_apis = [a.name for a in all_apis() if a.name.startswith("Set")]
    assert [row.set_api for row in PAIRS] == set_apis
    assert sorted(DROPPED) == sorted(set_apis)
    faults = all_faults()
    for name, (fault, path) in DROPPED.items():
        assert fault in faults and api(name).has_element(path), name
        assert path not in pair(name).skip, f"{name} drops {path}, which its read-back does not compare"


def test_the_changed_elements_leave_out_keys_lists_and_what_a_row_does_not_compare() -> None:
    row = pair("SetMeeting")
    paths = [e.path for e in updatable(api("SetMeeting"), row.skip)]
    assert "metaData/confName" in paths and "enableOptions/chat" in paths
    assert "meetingkey" not in paths and "meetingUUID" not in paths
    assert not any(p.startswith("participants/") for p in paths), "a list of people is no single value"
    assert "enableOptions/supportE2E" not in paths
    user = [e.path for e in updatable(api("SetUser"), pair("SetUser").skip)]
    assert not any(p.startswith("supportedServices/") for p in user), "left out of a valid body by the catalogue"


def test_answer_paths_take_the_answers_prefix_unless_the_row_moves_them() -> None:
    assert answer_path("metaData/confName", "meet", {}) == "meet:metaData/meet:confName"
    assert answer_path("tracking/com:trackingCode1", "event", {}) == "event:tracking/com:trackingCode1"
    assert answer_path("recording/description", "ep", {"recording/description": "ep:basic/ep:description"}) == (
        "ep:basic/ep:description"
    )


def test_values_differ_from_what_the_object_holds() -> None:
    spec = api("SetMeeting")
    chosen = [spec.element(p) for p in ("metaData/confName", "enableOptions/chat", "attendeeOptions/autoLockWaitTime")]
    before = _answer(
        "<meet:metaData><meet:confName>old name</meet:confName></meet:metaData>"
        "<meet:enableOptions><meet:chat>true</meet:chat></meet:enableOptions>"
        "<meet:attendeeOptions><meet:autoLockWaitTime>5</meet:autoLockWaitTime></meet:attendeeOptions>"
    )
    for seed in range(1, 30):
        sent = changes(
            spec, chosen, prefix="meet", moved={}, before=before, named=("metaData/confName",), choices={}, seed=seed
        )  # type: ignore[arg-type]
        by_path = {c.path: c for c in sent}
        assert by_path["enableOptions/chat"].value is False
        assert str(by_path["attendeeOptions/autoLockWaitTime"].value) != "5"
        name = str(by_path["metaData/confName"].value)
        assert name != "old name" and name.startswith(own_name("")), "a new name carries the run's name"
        assert by_path["metaData/confName"].before == "old name"


def test_a_value_comes_from_the_choices_the_site_accepts() -> None:
    spec = api("SetOneClickSettings")
    element = spec.element("oneClickMetaData/sessionType")
    before = _answer("<meet:metaData><meet:sessionType>3</meet:sessionType></meet:metaData>")
    for seed in range(1, 20):
        (sent,) = changes(
            spec,
            [element],
            prefix="meet",
            moved={element.path: "meet:metaData/meet:sessionType"},
            before=before,  # type: ignore[arg-type]
            named=(),
            choices={element.path: ["1", "3"]},
            seed=seed,
        )
        assert sent.value == "1"


def test_a_change_is_shown_by_the_same_value_in_the_answers_spelling() -> None:
    spec = api("SetMeeting")
    flag = Change(spec.element("enableOptions/chat"), True, "meet:enableOptions/meet:chat")
    assert flag.shown("true") and not flag.shown("false") and not flag.shown(None)
    count = Change(spec.element("schedule/duration"), 45, "meet:schedule/meet:duration")
    assert count.shown("45") and count.shown(" 45 ") and not count.shown("44")


def test_the_set_body_follows_the_catalogues_document_order() -> None:
    spec = api("SetEvent")
    sent = [Change(spec.element(p), "x", p) for p in ("metaData/description", "accessControl/listing")]
    body = set_body(spec, {"event:sessionKey": "123"}, sent)
    assert list(body) == ["accessControl", "metaData", "event:sessionKey"], "the 000 sample's order: key last"
    assert body["metaData"] == {"description": "x"}


def _call(api_name: str, node: Node, faults: set[str]) -> Call:
    class FakeSite:
        def fault(self, fault: str) -> bool:
            return fault in faults

    return Call(FakeSite(), None, node, api_name, {})  # type: ignore[arg-type]


def test_a_set_api_drops_its_element_only_with_its_fault_on_and_leaves_the_request_as_it_was() -> None:
    node = Node(
        "bodyContent",
        children=[
            Node("meetingkey", "123"),
            Node("metaData", children=[Node("confName", "new"), Node("agenda", "kept")]),
        ],
    )
    assert honoured(_call("SetMeeting", node, set())).node is node
    assert honoured(_call("SetMeeting", node, {"set-event-read-back"})).node is node
    dropped = honoured(_call("SetMeeting", node, {"set-meeting-read-back"})).node
    assert dropped.get("metaData/confName") is None
    assert dropped.get("metaData/agenda") == "kept" and dropped.get("meetingkey") == "123"
    assert node.get("metaData/confName") == "new", "the request itself is unchanged"


def test_docs_read_back_md_is_the_render_of_the_table() -> None:
    page = Path(__file__).resolve().parent.parent / "docs" / "read-back.md"
    assert page.read_text(encoding="utf-8") == render(), f"docs/read-back.md is stale: {COMMAND}"
    for row in PAIRS:
        assert f"| {row.set_api} |" in render()
