"""Failure evidence made readable: a recorded request or answer with its XML indented and its JSON
indented (the reports show what the client recorded, already masked; this only lays it out).

An exchange is recorded as the XML envelope alone (the XML API) or as an HTTP head — a start line and
headers — then a blank line and the body (the REST API). Whatever part is XML or JSON is laid out
again; anything that does not parse is kept exactly as it was, and so is text whose layout could spell
a value differently (XML entity or character references other than ``&amp;``, ``&lt;`` and ``&gt;``, a
DOCTYPE; JSON escapes other than ``\\"`` and ``\\\\``): the masking matched the text as recorded, and
re-serialising must never turn an escaped value into another spelling of it.
"""

from __future__ import annotations

import json
import re

#: the XML declaration, kept as its own first line
_DECLARATION = re.compile(r"^\s*(<\?xml[^>]*\?>)\s*")
#: references whose text a parser would resolve and the serialiser might spell differently
_OTHER_REFERENCES = re.compile(r"&(?!amp;|lt;|gt;)[#A-Za-z0-9]+;")
#: JSON escapes a parser would resolve and the serialiser might spell differently (``\/``, ``\u00e9`` …)
_JSON_ESCAPES = re.compile(r'\\(?!["\\])')


def _xml(text: str) -> str | None:
    """``text`` indented, or None when it is not one XML document (or is not safe to lay out again)."""
    from lxml import etree  # only when a report shows XML: the command line starts without lxml

    if _OTHER_REFERENCES.search(text) or "<!DOCTYPE" in text:
        return None
    match = _DECLARATION.match(text)
    declaration = match.group(1) + "\n" if match else ""
    body = text[match.end() :] if match else text
    parser = etree.XMLParser(
        remove_blank_text=True, resolve_entities=False, no_network=True, strip_cdata=False, huge_tree=False
    )
    try:
        root = etree.fromstring(body.strip().encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return declaration + etree.tostring(root, pretty_print=True, encoding="unicode").rstrip("\n")


def _json(text: str) -> str | None:
    """``text`` indented, or None when it is not a JSON object or array (or is not safe to lay out again)."""
    if _JSON_ESCAPES.search(text.replace("\\\\", "")):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict | list):
        return None
    return json.dumps(data, indent=2, ensure_ascii=False)


def _body(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("<"):
        return _xml(stripped) or text
    if stripped.startswith(("{", "[")):
        return _json(stripped) or text
    return text


def pretty(text: str) -> str:
    """The recorded request or answer ``text``, its XML or JSON indented; unchanged when neither parses."""
    if text.lstrip().startswith(("<", "{", "[")):
        return _body(text)
    head, sep, body = text.partition("\n\n")
    if not sep:
        return text
    return head + sep + _body(body)


#: characters of one recorded request or answer a report shows (after indenting)
SHOWN_CHARS = 8000


def excerpt(text: object) -> str:
    """What a report shows of a recorded request or answer: :func:`pretty`, cut at :data:`SHOWN_CHARS`."""
    shown = pretty(str(text or ""))
    return shown if len(shown) <= SHOWN_CHARS else shown[:SHOWN_CHARS] + "\n… (cut)"


__all__ = ["SHOWN_CHARS", "excerpt", "pretty"]
