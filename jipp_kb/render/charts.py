"""Bar charts as inline SVG, drawn at build time.

No charting library and no JavaScript: the numbers are known when the site
is built, so the chart is plain markup that prints, scales with the page and
works offline. Every bar links to the page listing those cases, and the
caller shows the same numbers as a table for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

ROW = 22
"""Height of one horizontal bar row, in SVG units."""

CHAR_WIDTH = 6.6
"""Rough width of one label character at the chart's font size, to size the label column."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str | None = None


def _num(x: float) -> str:
    """Coordinates with at most one decimal, so output does not depend on float noise."""
    text = f"{x:.1f}"
    return text.removesuffix(".0")


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _link(href: str | None, inner: str, title: str) -> str:
    body = f"<title>{escape(title)}</title>{inner}"
    return f'<a href="{escape(href)}">{body}</a>' if href else f"<g>{body}</g>"


def horizontal_bars(bars: list[Bar], *, chart_id: str, title: str, width: int = 640, max_label: int = 38) -> str:
    """One row per bar, label on the left, count at the end of the bar (for long labels: provinces, urusan)."""
    if not bars:
        return ""
    top = max(b.value for b in bars) or 1
    label_w = min(max(len(_clip(b.label, max_label)) for b in bars) * CHAR_WIDTH + 12, width * 0.5)
    bar_space = width - label_w - 40
    height = len(bars) * ROW + 4
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW + 2
        w = max(bar.value / top * bar_space, 1)
        inner = (
            f'<text class="chart-label" x="{_num(label_w - 8)}" y="{_num(y + ROW / 2)}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(_clip(bar.label, max_label))}</text>"
            f'<rect class="chart-bar" x="{_num(label_w)}" y="{_num(y + 3)}" width="{_num(w)}" height="{ROW - 6}" rx="2"/>'
            f'<text class="chart-value" x="{_num(label_w + w + 5)}" y="{_num(y + ROW / 2)}" dominant-baseline="middle">{bar.value}</text>'
        )
        rows.append(_link(bar.href, inner, f"{bar.label}: {bar.value}"))
    return _svg(chart_id, title, width, height, "".join(rows))


def vertical_bars(bars: list[Bar], *, chart_id: str, title: str, width: int = 640, height: int = 200) -> str:
    """Columns in the given order with labels underneath (for years)."""
    if not bars:
        return ""
    top = max(b.value for b in bars) or 1
    plot_h = height - 40
    slot = width / len(bars)
    bar_w = max(min(slot * 0.7, 36), 2)
    every = 1 if slot >= 34 else (2 if slot >= 17 else 5)
    cols = []
    for i, bar in enumerate(bars):
        h = max(bar.value / top * plot_h, 1)
        x = i * slot + (slot - bar_w) / 2
        cx = i * slot + slot / 2
        inner = (
            f'<rect class="chart-bar" x="{_num(x)}" y="{_num(18 + plot_h - h)}" width="{_num(bar_w)}" height="{_num(h)}" rx="2"/>'
            f'<text class="chart-value" x="{_num(cx)}" y="{_num(14 + plot_h - h)}" text-anchor="middle">{bar.value}</text>'
        )
        if i % every == 0 or i == len(bars) - 1:
            inner += f'<text class="chart-label" x="{_num(cx)}" y="{_num(height - 6)}" text-anchor="middle">{escape(bar.label)}</text>'
        cols.append(_link(bar.href, inner, f"{bar.label}: {bar.value}"))
    return _svg(chart_id, title, width, height, "".join(cols))


def _svg(chart_id: str, title: str, width: int, height: int, body: str) -> str:
    cid = escape(chart_id)
    return (
        f'<svg class="chart" id="{cid}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{cid}-title" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{cid}-title">{escape(title)}</title>{body}</svg>'
    )
