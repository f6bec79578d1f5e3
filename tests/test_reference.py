"""The reference's list of APIs (generators/reference.yaml), docs/apis.md rendered from it, ``webex-harness
apis --missing``, and the generic contract's order check with the fault that breaks it.

The list and the catalogue name the same APIs the same way (a typo in either fails here), the page is
the render of the data, and the order check finds two swapped elements and names the API, the expected
and the answered order.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from webex_harness.client.response_order import order_problem
from webex_harness.emulator.element_order import SWAPPED_API, reorder
from webex_harness.generators.catalogue import SERVICE_ORDER, all_apis, api, xml_api_names
from webex_harness.generators.reference import (
    GUIDE,
    ReferenceError,
    answered,
    missing,
    parse,
    reference_api,
    reference_apis,
    reference_services,
)
from webex_harness.generators.reference_doc import COMMAND, render
from webex_harness.runs.catalogue_commands import missing_lines
from webex_harness.webex.envelope import parse_response

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "apis.md"

#: APIs public clients call that the issue names: the list must have each one.
NAMED_BY_CLIENTS = (
    "GetLoginTicket",
    "GetloginurlUser",
    "GetlogouturlUser",
    "LstTimeZone",
    "GetAPIVersion",
    "LstrecordaccessHistory",
    "LstrecordaccessDetailHistory",
)


# --------------------------------------------------------------------------------------------
# The list and the catalogue


def test_every_catalogue_api_is_in_the_reference_list_spelled_the_same() -> None:
    listed = {a.name for a in reference_apis()}
    assert [name for name in xml_api_names() if name not in listed] == [], (
        "catalogue APIs the reference list (generators/reference.yaml) lacks or spells otherwise"
    )


def test_each_answered_api_is_filed_under_a_service_that_maps_to_its_catalogue_service() -> None:
    wrong = []
    for service in reference_services():
        for ref in service.apis:
            if answered(ref) and api(ref.name).service not in service.catalogue:
                wrong.append(f"{ref.name}: catalogue {api(ref.name).service}, listed under {service.name}")
    assert wrong == []


def test_every_catalogue_service_belongs_to_a_reference_service() -> None:
    mapped = {c for service in reference_services() for c in service.catalogue}
    used = {spec.service for spec in all_apis()}
    assert used <= mapped <= set(SERVICE_ORDER)


def test_the_list_holds_the_apis_clients_call_and_at_least_a_hundred() -> None:
    for name in NAMED_BY_CLIENTS:
        assert reference_api(name).url == GUIDE + name.lower()
    assert len(reference_apis()) >= 100


def test_a_page_is_the_lower_cased_name_unless_the_data_says_otherwise() -> None:
    assert reference_api("LstrecordaccessDetailHistory").page == "lstrecordaccessdetailhistory"
    assert reference_api("CreateContact").page == "createcontacts"
    assert reference_api("GetMe").url is None and not reference_api("GetMe").in_guide
    assert reference_api("lsttrainingsession").deprecated


def test_missing_is_the_list_less_the_catalogue_in_the_guides_order() -> None:
    names = set(xml_api_names())
    assert [a.name for a in missing()] == [a.name for a in reference_apis() if a.name not in names]
    assert all(not answered(a) for a in missing())


def _data(**api_fields: Any) -> dict[str, Any]:
    return {"services": [{"name": "User Service", "catalogue": ["user"], "apis": [{"name": "X", **api_fields}]}]}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"apis": []}, "needs a `services:` list"),
        (_data(seen="glanced"), "User Service: X: seen 'glanced' not one of"),
        (_data(seen="toc", url="x"), "User Service: X: unknown key(s) ['url']"),
        (_data(seen="toc", page="Has/Slash"), "page 'Has/Slash' is not a lower-case slug"),
        ({"services": [{"name": "S", "catalogue": ["sales"], "apis": []}]}, "S: catalogue service(s) ['sales']"),
        (
            {"services": [{"name": "S", "catalogue": [], "apis": [{"name": "A", "seen": "toc"}] * 2}]},
            "S: A is listed twice",
        ),
    ],
)
def test_the_loader_refuses_data_off_its_schema_naming_what_is_wrong(data: dict[str, Any], words: str) -> None:
    with pytest.raises(ReferenceError) as info:
        parse(data)
    assert words in str(info.value)


def test_an_unknown_name_is_a_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="'GetNothing' is not in the reference's list"):
        reference_api("GetNothing")


# --------------------------------------------------------------------------------------------
# docs/apis.md


def test_the_committed_page_is_the_render_of_the_data() -> None:
    committed = PAGE.read_text(encoding="utf-8").splitlines()
    rendered = render().splitlines()
    if committed != rendered:
        line = next(
            (i for i, (a, b) in enumerate(zip(committed, rendered, strict=False)) if a != b),
            min(len(committed), len(rendered)),
        )
        pytest.fail(
            f"docs/apis.md is not the render of generators/reference.yaml and the catalogue (first difference"
            f" at line {line + 1}): run `{COMMAND}` and commit it"
        )


def test_the_page_has_a_row_per_api_with_its_status_and_the_count() -> None:
    page = render()
    for ref in reference_apis():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{ref.name}` |"))
        assert ("| answered (" in row) == answered(ref), row
        assert (ref.url or "none in the guide") in row
    total = len(reference_apis())
    assert f"**{total - len(missing())} of {total} documented APIs answered.**" in page


def test_the_module_writes_the_page_to_stdout_and_refuses_arguments(tmp_path: Path) -> None:
    module = [sys.executable, "-m", "webex_harness.generators.reference_doc"]
    done = subprocess.run(module, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, render(), "")
    wrong = subprocess.run([*module, "--out"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.count("\n") == 1 and "takes no arguments, got '--out'" in wrong.stderr


# --------------------------------------------------------------------------------------------
# webex-harness apis --missing


def test_apis_missing_prints_one_line_per_missing_api_then_the_count(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "webex_harness.runs.cli", "apis", "--missing"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == missing_lines()
    absent = missing()
    assert len(lines) == len(absent) + 1
    for line, ref in zip(lines, absent, strict=False):
        assert line.split()[0] == ref.name and line.endswith(ref.url or "no page")
    total = len(reference_apis())
    assert lines[-1] == f"{total - len(absent)} of {total} documented APIs answered"
    assert not set(xml_api_names()) & {line.split()[0] for line in lines[:-1]}


# --------------------------------------------------------------------------------------------
# The order check and its fault

_ANSWER = """<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"
 xmlns:meet="http://www.webex.com/schemas/2002/06/service/meeting">
<serv:header><serv:response><serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus>
</serv:response></serv:header><serv:body>
<serv:bodyContent xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="meet:getMeetingResponse">
{body}</serv:bodyContent></serv:body></serv:message>"""

_PATHS = ("meet:accessControl/meet:meetingPassword", "meet:metaData/meet:confName", "meet:meetingkey")
_IN_ORDER = (
    "<meet:accessControl><meet:meetingPassword>p</meet:meetingPassword></meet:accessControl>"
    "<meet:metaData><meet:confName>c</meet:confName></meet:metaData><meet:meetingkey>1</meet:meetingkey>"
)


def _answer(body: str) -> Any:
    response = parse_response(_ANSWER.format(body=body).encode())
    assert response.ok, response.describe()
    return response


def test_an_answer_in_the_documented_order_passes_even_with_a_path_missing() -> None:
    assert order_problem("GetMeeting", _answer(_IN_ORDER), _PATHS) is None
    assert order_problem("GetMeeting", _answer(_IN_ORDER), (_PATHS[0], "meet:nothing", _PATHS[2])) is None


def test_two_swapped_siblings_are_named_with_the_expected_and_the_answered_order() -> None:
    swapped = (
        "<meet:metaData><meet:confName>c</meet:confName></meet:metaData>"
        "<meet:accessControl><meet:meetingPassword>p</meet:meetingPassword></meet:accessControl>"
        "<meet:meetingkey>1</meet:meetingkey>"
    )
    problem = order_problem("GetMeeting", _answer(swapped), _PATHS)
    assert problem is not None
    assert (problem.expected, problem.actual) == (_PATHS, (_PATHS[1], _PATHS[0], _PATHS[2]))
    text = str(problem)
    assert text.startswith("GetMeeting: documented response elements out of order: expected [")
    assert f"answered {list(problem.actual)}" in text


def test_the_fault_swaps_the_first_two_elements_of_getmeeting_only() -> None:
    elements = [("meet:accessControl", []), ("meet:metaData", []), ("meet:meetingkey", "1")]
    assert reorder(SWAPPED_API, elements) == [elements[1], elements[0], elements[2]]
    assert reorder("GetEvent", elements) is elements
    documented = api(SWAPPED_API).response_elements
    tops = list(dict.fromkeys(path.split("/")[0] for path in documented))
    assert tops[:2] == ["meet:accessControl", "meet:metaData"]  # the fault is visible to the check
