"""The named checks every exchange of a contract run is judged by: name, the rule in one line, where it
comes from. The rules are the wire rules of docs/wire.md (X1–X7 XML answers, J1–J11 REST), the
exception table (:mod:`webex.errors`) and the catalogue's documented response elements.

This is the table only — what a check is called and what it promises. The judging lives in the client
layer (``client.xml_checks``, ``client.rest_checks``, run by ``client.checker``), which holds a judge for
every name here; the environment file's ``checks.off`` is validated against these names, and the emulator
declares one fault per check that breaks exactly its rule (the fault's ID is the check's name, and so is
the behaviour ID of ``webex/behaviours.yaml`` it breaks).

Stands on nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CHECK_NAMES", "WIRE_CHECKS", "CheckRule", "check_rule"]

#: which client applies a check
Api = Literal["xml", "rest"]


@dataclass(frozen=True, slots=True)
class CheckRule:
    """One named check: ``name`` (kebab-case, stable), the API family it judges, its ``rule`` in one
    line, and ``source``: the documentation it comes from."""

    name: str
    api: Api
    rule: str
    source: str


#: every check, in the order ``webex-harness checks`` lists them
WIRE_CHECKS: tuple[CheckRule, ...] = (
    CheckRule(
        "xml-status-code",
        "xml",
        "a SUCCESS or FAILURE envelope comes with HTTP 200; the only other statuses are the refusals made "
        "before a request is processed (403 usage limit, 405 method, 413 body too large, 503 busy)",
        "docs/wire.md X1; webex/behaviours.yaml usage-limit-403",
    ),
    CheckRule(
        "xml-content-type",
        "xml",
        "every Webex envelope is labelled Content-Type text/xml with charset UTF-8",
        "docs/wire.md X1",
    ),
    CheckRule(
        "xml-envelope-shape",
        "xml",
        "an HTTP 200 answer is a serv:message envelope declaring the documented prefixes (serv, com, meet, "
        "att, use, ep, site, history, event, train) on its root; each serv:response is result then gsbStatus "
        "(SUCCESS) or result, reason, gsbStatus, exceptionID, optional value (FAILURE)",
        "docs/wire.md X2, X3; webex/behaviours.yaml envelope-shape",
    ),
    CheckRule(
        "xml-exception-id",
        "xml",
        "a FAILURE's exceptionID is six digits and one the exception table knows",
        "docs/wire.md X3, X7; webex/errors.py",
    ),
    CheckRule(
        "xml-failure-empty-body",
        "xml",
        "a FAILURE answers an empty serv:bodyContent",
        "docs/wire.md X3",
    ),
    CheckRule(
        "xml-response-elements",
        "xml",
        "the documented response elements a SUCCESS answer of a catalogued API holds come in the documented order",
        "generators/catalogue.yaml response_elements (the reference pages' response samples)",
    ),
    CheckRule(
        "rest-status-code",
        "rest",
        "a REST success has the operation's documented status (POST, GET, PUT, PATCH 200; DELETE 204); no "
        "answer is a server error other than 503",
        "docs/wire.md J2; generators/catalogue.yaml rest.operations",
    ),
    CheckRule(
        "rest-content-type",
        "rest",
        "every REST answer with a body is labelled Content-Type application/json",
        "docs/wire.md J3",
    ),
    CheckRule(
        "rest-response-fields",
        "rest",
        "a meeting's documented fields have their documented JSON types and enumerations; an error body is "
        '{"message": str, "errors": [{"description": str}], "trackingId": str}; a list is {"items": [...]}',
        "docs/wire.md J3, J5, J7; the REST reference's meeting properties (003)",
    ),
)

#: the names of every check, in order
CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in WIRE_CHECKS)

_BY_NAME = {c.name: c for c in WIRE_CHECKS}


def check_rule(name: str) -> CheckRule:
    """The check called ``name`` (KeyError for an unknown one)."""
    return _BY_NAME[name]
