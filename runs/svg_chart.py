"""A self-contained SVG bar chart of a before/after load comparison (``webex-harness compare``).

Written by hand rather than with matplotlib (issue 6 asks for "a PNG or SVG chart"; an SVG needs no
plotting dependency and opens in any browser or ticket system). Two panels — requests per second
and p95 latency — each with one pair of horizontal bars per API (before, after), the value at the
end of each bar, a labelled axis with round ticks and a legend. Every text is XML-escaped: API
names such as ``PATCH /v1/meetings/{id}`` or a hostile ``<script>`` stay text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["BarPair", "Panel", "nice_ticks", "render_before_after"]

BEFORE_COLOUR = "#8c959f"
AFTER_COLOUR = "#0969da"
WIDTH = 960
LABEL_WIDTH = 260  # API names, right-aligned against the bars
VALUE_ROOM = 90  # room right of the longest bar for its value
BAR_HEIGHT = 12
BAR_GAP = 2
GROUP_GAP = 10
PANEL_HEADER = 34
AXIS_ROOM = 40
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""
MAX_LABEL_CHARS = 40


@dataclass(frozen=True, slots=True)
class BarPair:
    """One API in one panel; ``None`` where the API was not in that run."""

    label: str
    before: float | None
    after: float | None


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    unit: str  # the axis label, e.g. "requests per second"
    bars: Sequence[BarPair]


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 covering ``maximum`` (1, 2 or 5 times a power of ten apart)."""
    if not maximum > 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    top = math.ceil(maximum / step - 1e-9) * step
    return [round(i * step, 10) for i in range(round(top / step) + 1)]


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 else f"{value:.2g}"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 12,
    weight: str = "normal",
    fill: str = "#1f2328",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _panel(panel: Panel, top: float) -> tuple[list[str], float]:
    """The SVG elements of one panel starting at ``top``; returns them and the panel's height."""
    plot_left = LABEL_WIDTH
    plot_width = WIDTH - LABEL_WIDTH - VALUE_ROOM
    values = [v for bar in panel.bars for v in (bar.before, bar.after) if v is not None]
    ticks = nice_ticks(max(values, default=0.0))
    scale = plot_width / ticks[-1] if ticks[-1] else 0.0
    group = 2 * BAR_HEIGHT + BAR_GAP + GROUP_GAP
    plot_top = top + PANEL_HEADER
    plot_height = max(1, len(panel.bars)) * group
    out = [_text(12, top + 20, panel.title, size=15, weight="600")]
    for tick in ticks:  # grid lines and tick labels
        x = plot_left + tick * scale
        out.append(
            f'<line x1="{x:.1f}" y1="{plot_top - 4:.1f}" x2="{x:.1f}" y2="{plot_top + plot_height:.1f}" '
            'stroke="#d0d7de" stroke-width="1"/>'
        )
        out.append(_text(x, plot_top + plot_height + 16, f"{tick:,g}", anchor="middle", size=11, fill="#57606a"))
    out.append(
        f'<line x1="{plot_left}" y1="{plot_top + plot_height:.1f}" x2="{plot_left + plot_width}" '
        f'y2="{plot_top + plot_height:.1f}" stroke="#57606a" stroke-width="1"/>'
    )
    out.append(
        _text(
            plot_left + plot_width / 2,
            plot_top + plot_height + 34,
            panel.unit,
            anchor="middle",
            size=12,
            fill="#57606a",
        )
    )
    if not panel.bars:
        out.append(_text(plot_left + 8, plot_top + 16, "no APIs in either run", fill="#57606a"))
    for i, bar in enumerate(panel.bars):
        y = plot_top + i * group
        out.append(f"<g><title>{escape(bar.label)}</title>")
        out.append(_text(plot_left - 8, y + BAR_HEIGHT + 4, _short(bar.label), anchor="end"))
        for j, (value, colour, side) in enumerate(
            ((bar.before, BEFORE_COLOUR, "before"), (bar.after, AFTER_COLOUR, "after"))
        ):
            by = y + j * (BAR_HEIGHT + BAR_GAP)
            if value is None:
                out.append(_text(plot_left + 4, by + BAR_HEIGHT - 2, "not in this run", size=10, fill="#6e7781"))
                continue
            width = max(value * scale, 0.0)
            out.append(
                f'<rect class="bar {side}" x="{plot_left}" y="{by:.1f}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{colour}"/>'
            )
            out.append(_text(plot_left + width + 4, by + BAR_HEIGHT - 2, _fmt(value), size=10))
        out.append("</g>")
    return out, PANEL_HEADER + plot_height + AXIS_ROOM + 12


def render_before_after(title: str, before_label: str, after_label: str, panels: Sequence[Panel]) -> str:
    """The whole SVG document: a title, a legend naming both runs, then the panels stacked."""
    body: list[str] = [_text(12, 24, title, size=17, weight="600")]
    legend_y = 44
    for i, (label, colour) in enumerate(
        ((f"before: {before_label}", BEFORE_COLOUR), (f"after: {after_label}", AFTER_COLOUR))
    ):
        x = 12 + i * 360
        body.append(f'<rect x="{x}" y="{legend_y - 10}" width="14" height="12" fill="{colour}"/>')
        body.append(_text(x + 20, legend_y, label))
    top = 62.0
    for panel in panels:
        elements, height = _panel(panel, top)
        body += elements
        top += height
    height = math.ceil(top + 8)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={quoteattr(title)} {FONT}>\n'
        f"<title>{escape(title)}</title>\n"
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
