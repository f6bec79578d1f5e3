"""One set of behaviour IDs: the behaviours of ``webex/behaviours.yaml``, the behaviours the emulator's
declared faults break, the behaviours the API catalogue gives its XML APIs and REST operations, and
the ``behaviour`` markers of the contract suites are the same set.

The markers are read from the source (AST: every ``pytest.mark.behaviour("…")`` with literal IDs in
``contracts/``), so nothing is collected. The one computed marker (``contracts/test_catalogue.py``
marks each edge case with the behaviour its prediction names) draws on the catalogue checked here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from webex_harness.emulator.faults import FAULTS
from webex_harness.emulator.registered import behaviour_of, fault_behaviours
from webex_harness.generators.catalogue import all_apis, rest_catalogue
from webex_harness.webex.behaviours import ids

ROOT = Path(__file__).resolve().parent.parent


def marked_behaviours(folder: Path = ROOT / "contracts") -> set[str]:
    """The IDs of every literal ``pytest.mark.behaviour(...)`` in the Python files under ``folder``."""
    found: set[str] = set()
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "behaviour"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
            ):
                found.update(
                    arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                )
    return found


def catalogue_behaviours() -> set[str]:
    """The behaviours of every XML API (those the loader adds included) and every REST operation."""
    found = {b for spec in all_apis() for b in spec.behaviours}
    return found | {b for op in rest_catalogue().operations for b in op.behaviours}


def id_sets() -> dict[str, set[str]]:
    return {
        "webex/behaviours.yaml": set(ids()),
        "declared faults": fault_behaviours(),
        "generators/catalogue.yaml": catalogue_behaviours(),
        "contract markers": marked_behaviours(),
    }


def disagreements(sets: dict[str, set[str]]) -> list[str]:
    """One line per place that lacks an ID another place has: ``<place> lacks: <ids>``."""
    every = set().union(*sets.values())
    return [f"{where} lacks: {', '.join(sorted(every - found))}" for where, found in sets.items() if every - found]


def test_behaviours_yaml_faults_catalogue_and_markers_hold_the_same_ids() -> None:
    sets = id_sets()
    problems = disagreements(sets)
    assert not problems, "the behaviour IDs disagree:\n" + "\n".join(problems)
    assert len(sets["webex/behaviours.yaml"]) == len(ids()), "an ID appears twice in webex/behaviours.yaml"


@pytest.mark.parametrize(
    "where", ["webex/behaviours.yaml", "declared faults", "generators/catalogue.yaml", "contract markers"]
)
@pytest.mark.parametrize("change", ["gains", "loses"])
def test_the_check_fails_when_one_place_gains_or_loses_an_id(where: str, change: str) -> None:
    sets = id_sets()
    if change == "gains":
        sets[where] = sets[where] | {"not-a-documented-behaviour"}
    else:
        sets[where] = sets[where] - {"email-lowercase"}
    problems = disagreements(sets)
    assert problems, f"{where} {change} an ID unnoticed"
    if change == "loses":
        assert problems == [f"{where} lacks: email-lowercase"]
    else:
        assert len(problems) == 3 and all(p.endswith("lacks: not-a-documented-behaviour") for p in problems)


def test_markers_are_read_from_every_form_of_the_marker(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        "import pytest\n"
        "pytestmark = pytest.mark.behaviour('module-level')\n"
        "@pytest.mark.behaviour('decorated', 'second')\n"
        "def test_a(): pass\n"
        "CASES = [pytest.param(1, marks=pytest.mark.behaviour('in-param'))]\n"
        "def test_b(x=pytest.mark.behaviour(computed())): pass\n",
        encoding="utf-8",
    )
    assert marked_behaviours(tmp_path) == {"module-level", "decorated", "second", "in-param"}


def test_every_aspect_fault_names_a_documented_behaviour_other_than_its_own_id() -> None:
    known = set(ids())
    aspects = {fault_id: fault.behaviour for fault_id, fault in FAULTS.items() if fault.behaviour != fault_id}
    assert aspects == {
        "usage-limit-403-scope": "usage-limit-403",
        "usage-limit-403-lift": "usage-limit-403",
        "usage-limit-403-window": "usage-limit-403",
        "rest-single-occurrence-id": "rest-list-by-meeting-number",
    }
    assert set(aspects.values()) <= known
    assert {fault_id for fault_id in FAULTS if fault_id not in aspects} <= known
    assert all(behaviour_of(fault_id) == FAULTS[fault_id].behaviour for fault_id in FAULTS)


def test_a_fault_handle_is_its_id_wherever_a_string_is_accepted() -> None:
    fault = FAULTS["email-lowercase"]
    assert fault == "email-lowercase" and hash(fault) == hash("email-lowercase")
    assert fault in {"email-lowercase"} and "email-lowercase" in {fault}
    assert fault.behaviour == "email-lowercase" and fault.breaks == "stores attendee e-mails as sent, mixed case kept"
    with pytest.raises(AttributeError):
        setattr(fault, "behaviour", "other")  # noqa: B010  (a plain assignment would not type-check)
