"""Atom feed of new and updated case studies (the only module importing feedgen).

Dates come from each case's ``last_reviewed``, never from the clock, so the
same corpus always gives the same feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from feedgen.feed import FeedGenerator

from jipp_kb import __version__

MAX_ENTRIES = 50


@dataclass(frozen=True)
class FeedEntry:
    id: str
    """Stable entry id (an IRI)."""
    title: str
    url: str
    summary: str
    updated: date
    categories: tuple[str, ...] = ()


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def atom_feed(
    *, feed_id: str, title: str, subtitle: str, lang: str, self_url: str, home_url: str, author: str, entries: list[FeedEntry]
) -> bytes:
    """The newest ``MAX_ENTRIES`` entries by ``updated`` (ties by id), newest first."""
    chosen = sorted(entries, key=lambda e: (-e.updated.toordinal(), e.id))[:MAX_ENTRIES]
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.language(lang)
    fg.author({"name": author})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=home_url, rel="alternate", type="text/html")
    fg.generator("jipp-kb", __version__)
    fg.updated(_moment(max((e.updated for e in chosen), default=date(1970, 1, 1))))
    for entry in chosen:
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.title(entry.title)
        fe.link(href=entry.url, rel="alternate", type="text/html")
        fe.summary(entry.summary)
        fe.updated(_moment(entry.updated))
        for term in entry.categories:
            fe.category(term=term)
    return fg.atom_str(pretty=True)
