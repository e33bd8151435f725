"""sitemap.xml: every page in both languages, each naming its translation.

Search engines want absolute URLs; they are absolute when the base URL names
a host (``https://example.org/jipp-kb/``) and root-relative otherwise. A
sitemap may list at most 50,000 URLs: past that, ``sitemap.xml`` becomes a
sitemap index naming ``sitemap-1.xml``, ``sitemap-2.xml``, … of at most
50,000 each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape


MAX_URLS = 50_000
"""URLs one sitemap file may list (sitemaps.org)."""
INDEX = "sitemap.xml"


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    alternates: tuple[tuple[str, str], ...]
    """(hreflang, url) of every language version, itself included."""
    lastmod: str | None = None
    """ISO date."""


def sitemap_xml(entries: list[SitemapEntry]) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    links: dict[tuple[tuple[str, str], ...], str] = {}  # the languages of a page share their links: written once
    for e in entries:
        block = links.get(e.alternates)
        if block is None:
            block = links[e.alternates] = "".join(
                f'\n    <xhtml:link rel="alternate" hreflang="{escape(lang)}" href="{escape(url)}"/>' for lang, url in e.alternates
            )
        lastmod = f"\n    <lastmod>{e.lastmod}</lastmod>" if e.lastmod else ""
        lines.append(f"  <url>\n    <loc>{escape(e.url, quote=False)}</loc>{lastmod}{block}\n  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def part_names(n_entries: int) -> list[str]:
    """Files the sitemap of ``n_entries`` URLs takes: ``sitemap.xml`` alone, or the index and its parts."""
    if n_entries <= MAX_URLS:
        return [INDEX]
    return [INDEX] + [f"sitemap-{k}.xml" for k in range(1, -(-n_entries // MAX_URLS) + 1)]


def sitemap_files(entries: list[SitemapEntry], url_of: Callable[[str], str]) -> dict[str, bytes]:
    """File name -> bytes; ``url_of(name)`` is the absolute URL of a file at the site's root."""
    names = part_names(len(entries))
    if len(names) == 1:
        return {INDEX: sitemap_xml(entries)}
    parts = {name: sitemap_xml(entries[k * MAX_URLS : (k + 1) * MAX_URLS]) for k, name in enumerate(names[1:])}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <sitemap><loc>{escape(url_of(name), quote=False)}</loc></sitemap>" for name in parts]
    lines.append("</sitemapindex>")
    return {INDEX: ("\n".join(lines) + "\n").encode("utf-8"), **parts}
