"""sitemap.xml: every page in both languages, each naming its translation.

Search engines want absolute URLs; they are absolute when the base URL names
a host (``https://example.org/jipp-kb/``) and root-relative otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    alternates: tuple[tuple[str, str], ...]
    """(hreflang, url) of every language version, itself included."""
    lastmod: date | None = None


def sitemap_xml(entries: list[SitemapEntry]) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for e in entries:
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(e.url, quote=False)}</loc>")
        if e.lastmod:
            lines.append(f"    <lastmod>{e.lastmod.isoformat()}</lastmod>")
        for lang, url in e.alternates:
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{escape(lang)}" href="{escape(url)}"/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")
