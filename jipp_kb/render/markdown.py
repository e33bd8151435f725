"""Case-study Markdown to safe HTML, with a cache keyed by content hash.

Case studies come from pull requests, so their HTML is untrusted: after
Python-Markdown renders it, nh3 keeps only the tags and attributes below.
No script, event handler, ``javascript:`` URL, iframe, style, form or image
survives. Citations such as ``[3]`` or ``[3, 5]`` become links to the
numbered source list. Rendering is the slowest step of a build, so results
are cached by content hash (SQLite, one row per section) and rendered in
parallel processes when many are missing.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "p", "br", "hr", "a", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "del", "abbr", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
CITE_TARGET = "sumber-{n}"
"""Id of the n-th source in the case page's source list (the template uses the same pattern)."""

PARALLEL_THRESHOLD = 200
"""Below this many sections to render, starting worker processes costs more than it saves."""


def _cleaner(extra_tags: set[str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS | extra_tags,
        clean_content_tags={
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "template",
            "noscript",
            "svg",
            "math",
            "form",
            "textarea",
            "select",
        },
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        allowed_classes={"a": {"cite"}},
        link_rel=None,
    )


_CLEANERS = {"case": _cleaner(set()), "page": _cleaner({"h1", "h2"})}
"""Case sections sit under the page's ``<h2>``; theme pages (about) have their own ``<h1>``/``<h2>``."""


CITATION = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\](?!\()")
TAG = re.compile(r"(<[^>]*>)")


def _cite_links(match: re.Match) -> str:
    links = (f'<a class="cite" href="#{CITE_TARGET.format(n=int(n))}">{int(n)}</a>' for n in match.group(1).split(","))
    return "[" + ", ".join(links) + "]"


class _Citations(Postprocessor):
    """``[3]`` / ``[3, 5]`` in running text -> links to the source list.

    Done on the HTML text between tags (not as an inline pattern, which
    doubled the rendering time); text inside ``<a>``, ``<code>`` and ``<pre>``
    is left alone.
    """

    def run(self, text: str) -> str:
        parts = TAG.split(text)
        skip = 0
        for i, part in enumerate(parts):
            if i % 2:
                name = part[1:].split(None, 1)[0].rstrip(">/").lower() if len(part) > 2 else ""
                if name in ("a", "code", "pre"):
                    skip += 1
                elif name in ("/a", "/code", "/pre"):
                    skip = max(skip - 1, 0)
            elif not skip and "[" in part:
                parts[i] = CITATION.sub(_cite_links, part)
        return "".join(parts)


class _DemoteHeadings(Treeprocessor):
    """A case section is an ``<h2>`` on the page; headings inside it start at ``<h3>``."""

    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            if el.tag in ("h1", "h2"):
                el.tag = "h3"


class _CaseMarkdown(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.postprocessors.register(_Citations(md), "jipp_citation", 5)
        md.treeprocessors.register(_DemoteHeadings(md), "jipp_demote", 5)


class _LinearBrackets:
    """Python-Markdown's link parsing in linear time, with exactly its results.

    For every ``[`` its link processors scan forward to the matching ``]``
    (``getText``), and after ``[text]`` to the matching ``)`` (``getLink``).
    An unmatched one scans to the end of the paragraph, so a run of them is
    quadratic: 40 KB of ``[`` took 79 s to build. Here a close match with
    nothing nested is found with ``str.find``, as almost every link and
    citation is; any other comes from a table of bracket pairs built once per
    text. A link title (a quote after ``(``) is left to Python-Markdown.
    """

    NEAR = 200
    """How far ``str.find`` looks for the closing bracket before the table is used."""

    def __init__(self) -> None:
        self.text: str | None = None
        self.closing: dict[int, int] = {}
        self.quotes: list[int] = []
        self.opens: list[int] = []
        self.last_close = -1

    def _table(self, data: str) -> None:
        """Where each ``[`` and ``(`` of ``data`` is closed, and where its quotes are."""
        if data is self.text:
            return
        self.text, self.closing, self.quotes, self.opens = data, {}, [], []
        self.last_close = data.rfind(")")
        stacks: dict[str, list[int]] = {"]": [], ")": []}
        for m in BRACKETS.finditer(data):
            c, pos = m.group(), m.start()
            if c in "[(":
                stacks["]" if c == "[" else ")"].append(pos)
                if c == "(":
                    self.opens.append(pos)
            elif c in "])":
                if stacks[c]:
                    self.closing[stacks[c].pop()] = pos
            else:
                self.quotes.append(pos)

    def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        """``getText``: the text up to the ``]`` matching the ``[`` at ``index - 1``."""
        close = data.find("]", index, index + self.NEAR)
        if close < 0 or data.find("[", index, close) >= 0:
            self._table(data)
            close = self.closing.get(index - 1, -1)
        return (data[index:close], close + 1, True) if close >= 0 else (data[index:], len(data), False)

    def link_getter(self, processor: LinkInlineProcessor) -> Callable[[str, int], tuple[str, str | None, int, bool]]:
        """``getLink`` of ``processor``: the href up to the ``)`` matching the ``(`` at ``index``."""
        get_link = processor.getLink

        def linear_get_link(data: str, index: int) -> tuple[str, str | None, int, bool]:
            m = processor.RE_LINK.match(data, pos=index)
            if not m or m.group(1):  # no '(', or '(<url> "title")': a regex, already linear
                return get_link(data, index)
            start = m.end()
            close = data.find(")", start, start + self.NEAR)
            if close < 0 or data.find("(", start, close) >= 0:
                self._table(data)
                close = self.closing.get(m.start(), -1)
                quote = self.quotes[bisect.bisect_left(self.quotes, start)] if self.quotes and self.quotes[-1] >= start else -1
            else:
                quote = min((q for q in (data.find("'", start, close), data.find('"', start, close)) if q >= 0), default=-1)
            if 0 <= quote and close < 0 and self.last_close < start:
                # No ')' follows: getLink's scan ends without one; in a title its '(' count down
                # from the nesting at the quote, and reaching zero "closes" the link (index -1).
                nesting = 1 + bisect.bisect_left(self.opens, quote) - bisect.bisect_left(self.opens, start)
                if len(self.opens) - bisect.bisect_left(self.opens, quote) < nesting:
                    return "", None, index, False
                return processor.unescape(data[start:-2]).strip(), None, -1, True
            if 0 <= quote and (close < 0 or quote < close):
                return get_link(data, index)
            if close < 0:
                return "", None, index, False
            return processor.unescape(data[start:close]).strip(), None, close + 1, True

        return linear_get_link


BRACKETS = re.compile(r"[\[\]()'\"]")


def _linear_links(md: markdown.Markdown) -> None:
    brackets = _LinearBrackets()
    for processor in md.inlinePatterns:
        if isinstance(processor, LinkInlineProcessor):
            processor.getText = brackets.get_text  # type: ignore[method-assign]
            processor.getLink = brackets.link_getter(processor)  # type: ignore[method-assign]


_converters: dict[str, markdown.Markdown] = {}


def _convert(kind: str, text: str) -> str:
    md = _converters.get(kind)
    if md is None:
        extensions: list = ["tables", "sane_lists"] + ([_CaseMarkdown()] if kind == "case" else [])
        md = _converters[kind] = markdown.Markdown(extensions=extensions, output_format="html")
        _linear_links(md)
    md.reset()
    return sanitize(md.convert(_escape_unclosed_angles(text)), kind)


UNCLOSED_ANGLES = 100
"""More ``<`` than this after the last ``>`` are escaped; no real text has that many."""


def _escape_unclosed_angles(text: str) -> str:
    """``<`` that no ``>`` follows can open no tag; many of them made rendering quadratic, so they become ``&lt;``.

    The standard library's HTML parser, which Python-Markdown runs over the
    whole text, scans from each ``<`` to the end for the ``>`` of a start
    tag: 36 KB of ``<a `` took 21 s. A few (``a < b``) are left alone, as
    code spans would show an escaped ``&lt;`` literally.
    """
    tail = text.rfind(">") + 1
    if text.count("<", tail) <= UNCLOSED_ANGLES:
        return text
    return text[:tail] + text[tail:].replace("<", "&lt;")


def to_html(text: str) -> str:
    """Render one section of a case study (citations linked, headings from ``<h3>``) and sanitise it."""
    return _convert("case", text)


def page_html(text: str) -> str:
    """Render a theme page (``site/pages/*.md``): plain Markdown, sanitised all the same."""
    return _convert("page", text)


A_TAG = re.compile(r'<a\b((?:[^>"]|"[^"]*")*)>')
EXTERNAL_REL = ' rel="noopener noreferrer nofollow"'


def _external_rel(match: re.Match) -> str:
    attrs = match.group(1)
    return f"<a{attrs}{EXTERNAL_REL}>" if re.search(r'\shref="(?:https?:|mailto:|//)', attrs) else match.group(0)


def sanitize(html: str, kind: str = "case") -> str:
    """nh3 with the allow-lists above; then links leaving the site get ``rel=nofollow`` (contributors' links are not endorsements)."""
    return A_TAG.sub(_external_rel, _CLEANERS[kind].clean(html))


def _fingerprint() -> str:
    """Changes whenever rendering could: this module's code and the library versions."""
    versions = f"markdown {metadata.version('Markdown')} nh3 {metadata.version('nh3')}"
    return hashlib.sha256(Path(__file__).read_bytes() + versions.encode()).hexdigest()


class HtmlCache:
    """Rendered sections by content hash; ``path=None`` keeps them in memory only."""

    def __init__(self, path: Path | None = None) -> None:
        self.fingerprint = _fingerprint()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path) if path else ":memory:")
        self.db.execute("CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, html TEXT NOT NULL)")
        self.rendered = 0

    def key(self, text: str) -> str:
        return hashlib.sha256((self.fingerprint + "\0" + text).encode("utf-8")).hexdigest()

    def render(self, texts: Iterable[str], workers: int | None = None) -> dict[str, str]:
        """HTML of each text (keyed by the text itself); only texts not cached are rendered."""
        wanted = {text: self.key(text) for text in dict.fromkeys(texts)}
        found: dict[str, str] = {}
        keys = list(set(wanted.values()))
        for i in range(0, len(keys), 900):  # SQLite's limit on bound parameters
            chunk = keys[i : i + 900]
            found.update(self.db.execute(f"SELECT key, html FROM html WHERE key IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        missing = [text for text, key in wanted.items() if key not in found]
        for text, html in zip(missing, _render_all(missing, workers), strict=True):
            found[wanted[text]] = html
        if missing:
            self.db.executemany("INSERT OR REPLACE INTO html VALUES (?, ?)", [(wanted[t], found[wanted[t]]) for t in missing])
            self.db.commit()
        self.rendered += len(missing)
        return {text: found[key] for text, key in wanted.items()}

    def prune_if_grown(self, texts: list[str]) -> None:
        """Forget sections no case uses any more, once they make up a third of the cache."""
        (rows,) = self.db.execute("SELECT COUNT(*) FROM html").fetchone()
        if rows > 1.5 * len(set(texts)) + 100:
            self.prune(texts)

    def prune(self, texts: Iterable[str]) -> None:
        """Forget sections no case uses any more, so the cache does not grow without bound."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM keep")
        self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((self.key(t),) for t in texts))
        self.db.execute("DELETE FROM html WHERE key NOT IN (SELECT key FROM keep)")
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def _render_all(texts: list[str], workers: int | None) -> list[str]:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(texts) < PARALLEL_THRESHOLD:
        return [to_html(t) for t in texts]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(to_html, texts, chunksize=max(16, len(texts) // (workers * 8))))
