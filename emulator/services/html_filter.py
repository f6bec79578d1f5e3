"""Unsafe-HTML filtering (000 SetEvent, 004 CreateTrainingSession): :func:`clean_html` removes from a
text what could run script in a browser and keeps harmless markup.

The behaviour ``unsafe-html-filtered`` — when the filter applies, and its fault — is
:func:`emulator.services.common.filter_html`; this module is the filter itself, a pure function
on a string. Stands on the standard library only.
"""

from __future__ import annotations

import re

#: Elements removed together with their content.
_BLOCK_NAMES = "script|style|iframe|frame|frameset|object|embed|applet|noscript|xml|svg|math"
_BLOCK_OPEN = re.compile(rf"<\s*({_BLOCK_NAMES})\b[^<>]*>", re.IGNORECASE)
#: Unsafe tags removed wherever they stand (opening, closing or self-closing, unclosed blocks too).
_UNSAFE_TAGS = re.compile(
    rf"<\s*/?\s*(?:{_BLOCK_NAMES}|meta|link|base|form|input|button|textarea|select|option|isindex|bgsound|"
    r"layer|ilayer)\b[^<>]*>",
    re.IGNORECASE,
)
#: Event-handler attributes (``onload=``, ``onerror = '…'``) inside a remaining tag.
_HANDLER_ATTR = re.compile(r"""[\s/]+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)""", re.IGNORECASE)
#: Script-bearing URL schemes (``javascript:``, ``vbscript:``, ``data:text/html``), spaces allowed.
_SCRIPT_URL = re.compile(r"(?:j\s*a\s*v\s*a|v\s*b)\s*s\s*c\s*r\s*i\s*p\s*t\s*:|data\s*:\s*text/html", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_MAX_PASSES = 8


def _strip_blocks(text: str) -> str:
    """Remove each unsafe element with its content, in linear time (one closing-tag search per
    tag name and position, remembered)."""
    out: list[str] = []
    pos = 0
    closings: dict[str, tuple[int, re.Match[str] | None]] = {}
    for m in _BLOCK_OPEN.finditer(text):
        if m.start() < pos:
            continue
        name = m.group(1).lower()
        known = closings.get(name)
        if (
            known is None
            or (known[1] is not None and known[1].start() < m.end())
            or (known[1] is None and known[0] > m.end())
        ):
            found = re.compile(rf"<\s*/\s*{name}\s*>", re.IGNORECASE).search(text, m.end())
            known = (m.end(), found)
            closings[name] = known
        out.append(text[pos : m.start()])
        pos = known[1].end() if known[1] is not None else m.end()
    out.append(text[pos:])
    return "".join(out)


def _clean_tag(match: re.Match[str]) -> str:
    tag = _HANDLER_ATTR.sub("", match.group(0))
    return _SCRIPT_URL.sub("", tag)


def clean_html(text: str) -> str:
    """``text`` with script-like elements and their content (``<script>``, ``<iframe>``,
    ``<object>``, ``<embed>``, ``<style>`` …), form and meta tags, event-handler attributes
    (``onload=`` …) and ``javascript:``/``vbscript:``/``data:text/html`` URLs inside tags removed.
    Harmless markup (``<b>``, ``<p>``, ``<a href="https://…">``) and plain text stay. The seeds
    point to a "Table 2-8, HTML Tags Checked" they do not include; this list follows the public
    reference's intent."""
    if "<" not in text:
        return text
    for _ in range(_MAX_PASSES):  # nested tricks like <scr<script>ipt> need several passes
        previous = text
        text = _TAG.sub(_clean_tag, _UNSAFE_TAGS.sub("", _strip_blocks(text)))
        if text == previous:
            return text
    return _TAG.sub("", text)  # still changing: drop every tag
