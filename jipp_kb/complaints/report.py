"""Write what the analysis found: the last step of ``jipp-kb complaints``.

The report is one dictionary (``--json`` prints it) rendered to a
self-contained HTML page (styles and charts inline, so it can be mailed or put
on an intranet) and laid out to A4 PDF by WeasyPrint (``render/pdf.py``).
Every file is written to a temporary name and renamed, so an interrupted run
never leaves half a report. Only redacted text reaches it: theme names,
examples and the learning pack's title come from redacted complaints.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from markupsafe import Markup

from jipp_kb import __version__
from jipp_kb.render.charts import Bar, horizontal_bars, vertical_bars
from jipp_kb.render.theme import ThemeDirs

THEME = "complaints"
"""The theme's subfolder holding the report's template and stylesheet (``site/complaints/``)."""
FILES = ("report.html", "report.pdf", "report.json")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def to_html(report: dict, theme_dir: Path | None = None) -> str:
    """The report as one self-contained HTML page."""
    dirs = ThemeDirs.with_override(theme_dir)
    env = dirs.env(THEME)
    css = Markup(dirs.file(f"{THEME}/report.css").read_text(encoding="utf-8"))
    overview = horizontal_bars(
        [Bar(f"{t['rank']}. {t['name']}", t["count"], f"#tema-{t['rank']}") for t in report["themes"]],
        chart_id="tema",
        title="Jumlah pengaduan per tema / complaints per theme",
        max_label=44,
    )
    months = report["period"]["months"]
    trends = {
        t["rank"]: vertical_bars(
            [Bar(_month_label(m), t["months"].get(m, 0)) for m in months],
            chart_id=f"tren-{t['rank']}",
            title=f"Tren bulanan / monthly trend: {t['name']}",
            width=420,
            height=110,
        )
        for t in report["themes"]
    }
    overview, trends = _print_ready(overview), {rank: Markup(_print_ready(svg)) for rank, svg in trends.items()}
    return env.get_template("report.html").render(report=report, css=css, overview=Markup(overview), trends=trends, version=__version__)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def _month_label(month: str) -> str:
    """'2026-03' as 'Mar 26': short enough for twelve bars side by side."""
    return f"{MONTHS[int(month[5:]) - 1]} {month[2:4]}"


def _print_ready(svg: str) -> str:
    """The site's charts take colour and type size from the site's stylesheet; WeasyPrint does not apply it inside SVG."""
    return (
        svg.replace('class="chart-bar"', 'class="chart-bar" fill="#0b5c8a"')
        .replace('class="chart-label"', 'class="chart-label" font-size="10" font-family="DejaVu Sans, sans-serif"')
        .replace('class="chart-value"', 'class="chart-value" font-size="10" font-family="DejaVu Sans, sans-serif"')
    )


def to_pdf(html: str) -> tuple[bytes, int]:
    from jipp_kb.render.pdf import html_to_pdf

    return html_to_pdf(html, "about:blank")


def monthly(days: list) -> Counter:
    return Counter(d.strftime("%Y-%m") for d in days if d is not None)


def month_range(counter: Counter) -> list[str]:
    """Every month from the first to the last seen, gaps included, so a trend shows quiet months as zero."""
    if not counter:
        return []
    first, last = min(counter), max(counter)
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out
