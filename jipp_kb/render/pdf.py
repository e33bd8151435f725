"""HTML to PDF with WeasyPrint: the only module that imports it.

WeasyPrint lays out paged media from the same HTML and CSS as the handout
(``@page`` sizes, running footers, page references in the table of contents)
and needs no browser, only Pango, which Debian ships. Nothing is fetched
while rendering: the handout inlines its stylesheet, and the fetcher only
accepts ``data:`` URLs, so a link in a case study can never make a build
reach the network.

Output is deterministic: WeasyPrint writes a creation date only when the HTML
has ``<meta name="dcterms.created">`` (the handout sets it to the pack's
date, never the clock), font subsets are named by content hash, and the file
identifier is a hash of the content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata

import weasyprint

ENGINE = f"WeasyPrint {metadata.version('weasyprint')}"


class _Relay(logging.Handler):
    """Passes on each step once ('Step 5 - Creating layout'), not every page of every repagination."""

    def __init__(self, report: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.report = report
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        step = " - ".join(record.getMessage().split(" - ")[:2])
        if step != self.last:
            self.last = step
            self.report(step)


@contextmanager
def _progress(report: Callable[[str], None] | None) -> Iterator[None]:
    """Relay WeasyPrint's 'Step n - …' messages (layout is the slow part) to ``report``."""
    if report is None:
        yield
        return
    logger = logging.getLogger("weasyprint.progress")
    handler, level = _Relay(report), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def html_to_pdf(html: str, base_url: str, report: Callable[[str], None] | None = None) -> tuple[bytes, int]:
    """The PDF bytes of ``html`` and its page count."""
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    with _progress(report):
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print").render()
        return document.write_pdf(pdf_identifier=True), len(document.pages)
