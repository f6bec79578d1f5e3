"""The namespaces of the Webex XML API, with the exact prefixes the documentation's samples use.

Many clients read responses by prefix rather than by namespace URI, so the emulator declares
every one of these on the response root with exactly these prefixes (real clients parse by prefix).
"""

from __future__ import annotations

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SERV = "http://www.webex.com/schemas/2002/06/service"
SERV_2009 = "http://www.webex.com/schemas/2009/05/service"
COM = "http://www.webex.com/schemas/2002/06/common"
_BASE = "http://www.webex.com/schemas/2002/06/service/"

#: prefix -> namespace URI, in the order they are declared on a response root.
NAMESPACES: dict[str, str] = {
    "serv": SERV,
    "com": COM,
    "meet": _BASE + "meeting",
    "att": _BASE + "attendee",
    "event": _BASE + "event",
    "train": _BASE + "trainingsession",
    "sess": _BASE + "session",
    "qti": _BASE + "trainingsessionqti",
    "ep": _BASE + "ep",
    "use": _BASE + "user",
    "history": _BASE + "history",
    "site": _BASE + "site",
    "ns1": _BASE + "site",
    "tel": _BASE + "teleconference",
    "sc": _BASE + "supportcenter",
    "mtgtype": _BASE + "meetingtype",
}

#: The service part of ``java:com.webex.service.binding.<service>.<Api>`` -> response prefix.
SERVICE_PREFIX: dict[str, str] = {
    "meeting": "meet",
    "attendee": "att",
    "event": "event",
    "training": "train",
    "ep": "ep",
    "user": "use",
    "history": "history",
    "site": "ns1",
    "teleconference": "tel",
    "support": "sc",
    "meetingtype": "mtgtype",
}

#: XPath namespace map for assertions in tests (``site`` and ``ns1`` both map to the site URI).
XPATH_NS: dict[str, str] = {"xsi": XSI, **NAMESPACES}


def q(prefix: str, local: str) -> str:
    """Clark notation ``{uri}local`` for a documented prefix."""
    return f"{{{NAMESPACES[prefix]}}}{local}"


def body_content_type(service: str, api: str) -> str:
    """The request ``xsi:type`` value for an API, e.g. ``java:com.webex.service.binding.ep.GetSessionInfo``."""
    return f"java:com.webex.service.binding.{service}.{api}"
