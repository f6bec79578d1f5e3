"""The ``registration`` object of a REST meeting (003 "Update a Meeting", body and response): the
``require…`` flags, ``maxRegisterNum``, the ``customizedQuestions`` with their automatic approval
``rules``, and the approval ``rules`` of the standard questions.

:func:`parse_registration` type-checks a body's ``registration`` and checks what 003 states about it
(400 otherwise): question types and the ``options`` the choice types require, ``maxLength`` 0–999
for the text-box types, the conditions and results of approval rules, the standard question
names. Customized questions and their options get numeric ``id``\\ s when sent without one. The
object is stored as sent (merged key by key onto what the meeting had) and answered as stored
(behaviour ``rest-registration-form``; the answer is :mod:`emulator.rest.responses`). Stands on
:mod:`emulator.rest.errors` alone.
"""

from __future__ import annotations

from typing import Any

from webex_harness.emulator.rest.errors import bad

#: the ``require…`` flags and ``autoAcceptRequest`` (003)
FLAGS = (
    "autoAcceptRequest",
    "requireFirstName",
    "requireLastName",
    "requireEmail",
    "requireJobTitle",
    "requireCompanyName",
    "requireAddress1",
    "requireAddress2",
    "requireCity",
    "requireState",
    "requireZipCode",
    "requireCountryRegion",
    "requireWorkPhone",
    "requireFax",
)
QUESTION_TYPES = ("singleLineTextBox", "multiLineTextBox", "checkbox", "dropdownList", "radioButtons")
TEXT_TYPES = ("singleLineTextBox", "multiLineTextBox")
CONDITIONS = ("contains", "notContains", "beginsWith", "endsWith", "equals", "notEquals")
RESULTS = ("approve", "reject")
#: the standard questions an approval rule of ``registration.rules`` may name (003)
STANDARD_QUESTIONS = (
    "firstName",
    "lastName",
    "email",
    "jobTitle",
    "companyName",
    "address1",
    "address2",
    "city",
    "state",
    "zipCode",
    "countryRegion",
    "workPhone",
    "fax",
)
MAX_LENGTH_RANGE = (0, 999)
#: the largest maxRegisterNum (003: webinars default to 10000; the user capacity limits it further)
MAX_REGISTER_NUM = 10_000


def _bool(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise bad(f"Invalid value for {where}: expected a boolean, got {value!r}"[:300])
    return value


def _int(where: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad(f"Invalid value for {where}: expected an integer from {low} to {high}, got {value!r}"[:300])
    return value


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad(f"Invalid value for {where}: expected a non-empty string"[:300])
    return value


def _enum(where: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise bad(f"Invalid value for {where}: {value!r}; valid values are {', '.join(allowed)}."[:300])
    return str(value)


def _items(where: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise bad(f"Invalid value for {where}: expected an array of objects")
    return value


def _rule(where: str, item: dict[str, Any], *, standard: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if standard:
        out["question"] = _enum(f"{where}.question", item.get("question"), STANDARD_QUESTIONS)
    out["condition"] = _enum(f"{where}.condition", item.get("condition"), CONDITIONS)
    out["value"] = _text(f"{where}.value", item.get("value"))
    out["result"] = _enum(f"{where}.result", item.get("result"), RESULTS)
    out["matchCase"] = _bool(f"{where}.matchCase", item.get("matchCase", False))
    if item.get("order") is not None:
        out["order"] = _int(f"{where}.order", item["order"], 0, 2**31 - 1)
    return out


def _question(where: str, item: dict[str, Any], number: int) -> dict[str, Any]:
    kind = _enum(f"{where}.type", item.get("type"), QUESTION_TYPES)
    out: dict[str, Any] = {
        "id": _int(f"{where}.id", item["id"], 0, 2**31 - 1) if item.get("id") is not None else number,
        "question": _text(f"{where}.question", item.get("question")),
        "required": _bool(f"{where}.required", item.get("required", False)),
        "type": kind,
    }
    if kind in TEXT_TYPES:
        if item.get("maxLength") is None:
            raise bad(f"{where}.maxLength is required for a {kind} question.")
        out["maxLength"] = _int(f"{where}.maxLength", item["maxLength"], *MAX_LENGTH_RANGE)
    elif not item.get("options"):
        raise bad(f"{where}.options is required for a {kind} question.")
    if item.get("options"):
        options = _items(f"{where}.options", item["options"])
        out["options"] = [
            {
                "id": _int(f"{where}.options.id", o["id"], 0, 2**31 - 1) if o.get("id") is not None else i,
                "value": _text(f"{where}.options.value", o.get("value")),
            }
            for i, o in enumerate(options, start=1)
        ]
    if item.get("rules") is not None:
        out["rules"] = [_rule(f"{where}.rules", r, standard=False) for r in _items(f"{where}.rules", item["rules"])]
    return out


def parse_registration(value: Any) -> dict[str, Any]:
    """A body's ``registration``, checked (400 for anything 003 does not allow); keys left out are
    not in the result (the stored object keeps them)."""
    if not isinstance(value, dict):
        raise bad("Invalid value for registration: expected an object")
    out: dict[str, Any] = {}
    for name in FLAGS:
        if value.get(name) is not None:
            out[name] = _bool(f"registration.{name}", value[name])
    if value.get("maxRegisterNum") is not None:
        out["maxRegisterNum"] = _int("registration.maxRegisterNum", value["maxRegisterNum"], 1, MAX_REGISTER_NUM)
    if value.get("customizedQuestions") is not None:
        questions = _items("registration.customizedQuestions", value["customizedQuestions"])
        out["customizedQuestions"] = [
            _question("registration.customizedQuestions", q, n) for n, q in enumerate(questions, start=1)
        ]
    if value.get("rules") is not None:
        out["rules"] = [
            _rule("registration.rules", r, standard=True) for r in _items("registration.rules", value["rules"])
        ]
    return out


__all__ = [
    "CONDITIONS",
    "FLAGS",
    "MAX_LENGTH_RANGE",
    "MAX_REGISTER_NUM",
    "QUESTION_TYPES",
    "RESULTS",
    "STANDARD_QUESTIONS",
    "TEXT_TYPES",
    "parse_registration",
]
