"""Every URL of the site, and the file each page is written to.

This is the only module that builds URLs, so the base URL (``/`` or e.g.
``/jipp-kb/`` on GitHub Pages) and the language prefix (``en/``) are applied
in one place. A page is named by its *path*: language-neutral, relative,
ending in ``/`` for a clean URL (``kasus/gebrakan-susi/``) or naming a file
(``404.html``). Path segments stay Indonesian in both languages so the
language switch only swaps the prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote, urlsplit

from slugify import slugify

from jipp_kb.errors import JippError

LANGS: tuple[str, ...] = ("id", "en")
"""Indonesian is the default language at the root; English lives under ``en/``."""

NATIONAL = "nasional"
"""Path segment of the page of national innovations (province null)."""

SEARCH_BUNDLE = "pagefind"
"""Folder of a language's (first) Pagefind bundle: ``pagefind/`` and ``en/pagefind/``."""
SEARCH_SHARD_PAGES = 5000
"""Most case pages one Pagefind run indexes: its memory grows with the pages (~0.3 GB a thousand, docs/performance.md).

A language with more cases is split into shards, bundles ``pagefind/``, ``pagefind-2/``, … searched together by the search page."""

PAGE_SEGMENT = "halaman"
"""Page k > 1 of a long list lives at ``<list path>halaman/<k>/``; page 1 keeps the list's own URL."""
PACK_PAGE = "paket/"
"""Path of the pack page (learning packs on demand, jipp_kb/pack/fragments.py)."""

NO_YEAR = "tanpa-tahun"
"""Path segment of the cases whose start year no source gives."""


def search_bundle_names(pages: int) -> list[str]:
    """Folders of the Pagefind shards of one language with ``pages`` case pages (relative to its root)."""
    shards = max(1, -(-pages // SEARCH_SHARD_PAGES))
    return [SEARCH_BUNDLE] + [f"{SEARCH_BUNDLE}-{k}" for k in range(2, shards + 1)]


@cache
def _quoted(path: str) -> str:
    """Percent-encoded page path; memoised, as every page links to many others."""
    return quote(path)


class UrlError(JippError, ValueError):
    pass


@cache
def slug(text: str) -> str:
    """The path segment of a vocabulary value ('Kabupaten Luwu Utara' -> 'kabupaten-luwu-utara')."""
    value = slugify(text)
    if not value:
        raise UrlError(f"cannot make a URL segment from {text!r}")
    return value


def split_base_url(base_url: str) -> tuple[str, str]:
    """``(origin, path)`` of a base URL: '/jipp-kb/' -> ('', '/jipp-kb/'); 'https://x.id/kb' -> ('https://x.id', '/kb/')."""
    parts = urlsplit(base_url.strip())
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise UrlError(f"base URL {base_url!r}: only http(s) URLs or paths such as '/jipp-kb/'")
    if parts.query or parts.fragment:
        raise UrlError(f"base URL {base_url!r} must not have a query or fragment")
    if parts.scheme and not parts.netloc:
        raise UrlError(f"base URL {base_url!r} has no host")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
    path = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
    if "//" in path or any(seg in (".", "..") for seg in path.split("/")):
        raise UrlError(f"base URL {base_url!r} has an empty or relative path segment")
    return origin, path


@dataclass(frozen=True)
class Urls:
    """URLs for one language of the site."""

    base: str = "/"
    origin: str = ""
    lang: str = "id"
    versions: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Content hash of each static file, appended as ``?v=`` so browsers refetch changed assets."""

    @classmethod
    def from_base_url(cls, base_url: str, lang: str = "id") -> Urls:
        origin, path = split_base_url(base_url)
        return cls(path, origin, lang)

    def for_lang(self, lang: str) -> Urls:
        if lang not in LANGS:
            raise UrlError(f"unknown language {lang!r}")
        return Urls(self.base, self.origin, lang, self.versions)

    @property
    def other_lang(self) -> str:
        return "en" if self.lang == "id" else "id"

    # -- paths (language-neutral) -------------------------------------------------

    @staticmethod
    def prefix(lang: str) -> str:
        return "" if lang == "id" else f"{lang}/"

    def page(self, path: str, lang: str | None = None) -> str:
        """URL of a page path in this (or the given) language."""
        return self.base + self.prefix(lang or self.lang) + _quoted(path)

    def output_file(self, path: str, lang: str | None = None) -> str:
        """File (relative to the output folder) that serves ``path``: clean URLs become ``…/index.html``."""
        rel = self.prefix(lang or self.lang) + path
        return rel + "index.html" if rel == "" or rel.endswith("/") else rel

    def absolute(self, url: str) -> str:
        """A full URL when the base URL names a host; otherwise the root-relative URL unchanged."""
        return self.origin + url

    def switch(self, path: str) -> str:
        """The same page in the other language."""
        return self.page(path, self.other_lang)

    # -- page paths ------------------------------------------------------------------

    @staticmethod
    def case_path(case_id: str) -> str:
        return f"kasus/{case_id}/"

    @staticmethod
    def province_path(province: str | None) -> str:
        return f"provinsi/{slug(province) if province else NATIONAL}/"

    @staticmethod
    def regency_path(province: str, regency: str) -> str:
        return f"provinsi/{slug(province)}/{slug(regency)}/"

    @staticmethod
    def facet_path(facet: str, value: str | int | None = None) -> str:
        """Index page of a facet (``urusan/``) or the page of one value (``urusan/kesehatan/``)."""
        if value is None:
            return f"{facet}/"
        if facet == "tahun" and value == NO_YEAR:
            return f"tahun/{NO_YEAR}/"
        return f"{facet}/{value if isinstance(value, int) else slug(value)}/"

    @staticmethod
    def paged_path(path: str, number: int) -> str:
        """Page ``number`` of the list at ``path`` (stable: it depends only on the list and the number)."""
        return path if number == 1 else f"{path}{PAGE_SEGMENT}/{number}/"

    @staticmethod
    def collection_path(collection_id: str) -> str:
        return f"koleksi/{collection_id}/"

    # -- URLs the templates use ----------------------------------------------------

    def home(self) -> str:
        return self.page("")

    def case(self, case_id: str, lang: str | None = None) -> str:
        return self.page(self.case_path(case_id), lang)

    def province(self, province: str | None) -> str:
        return self.page(self.province_path(province))

    def regency(self, province: str, regency: str) -> str:
        return self.page(self.regency_path(province, regency))

    def facet(self, facet: str, value: str | int | None = None) -> str:
        return self.page(self.facet_path(facet, value))

    def collection(self, collection_id: str) -> str:
        return self.page(self.collection_path(collection_id))

    def search(self) -> str:
        return self.page("cari/")

    def feed(self, lang: str | None = None) -> str:
        return self.page("feed.xml", lang)

    def sitemap(self) -> str:
        return self.base + "sitemap.xml"

    def static(self, name: str) -> str:
        version = self.versions.get(name)
        return self.base + "static/" + quote(name) + (f"?v={version}" if version else "")

    def search_bundles(self, cases: int) -> list[str]:
        """The Pagefind bundles of this language's search page, for a site of ``cases`` cases."""
        return [self.page(name + "/") for name in search_bundle_names(cases)]

    def api_search(self) -> str:
        """The hybrid-search API that ``jipp-kb serve`` answers (absent on a static host)."""
        return self.base + "api/search"

    def pack_page(self) -> str:
        """The pack page (``?kasus=a,b,c``): the chosen cases' handout and matrix, put together in the browser."""
        return self.page(PACK_PAGE)

    def pack_fragments(self) -> str:
        """Folder URL of the pack page's per-case fragments (``pack_fragment_path``)."""
        return self.page(PACK_PAGE + "kasus/")

    @staticmethod
    def pack_fragment_path(case_id: str) -> str:
        """A case's fragment for the pack page (``output_file`` adds the language prefix)."""
        return f"{PACK_PAGE}kasus/{case_id}.json"

    def api_pack(self) -> str:
        """The pack API of ``jipp-kb serve``: the pack page's chosen cases, made on the server."""
        return self.base + "api/pack"

    def pack_file(self, collection_id: str, name: str) -> str:
        """A learning-pack file; packs are language-neutral."""
        return self.base + f"packs/{quote(collection_id)}/{quote(name)}"

    @staticmethod
    def pack_file_path(collection_id: str, name: str) -> str:
        return f"packs/{collection_id}/{name}"

    @staticmethod
    def external(url: str) -> str:
        """A contributor's http(s) URL, percent-encoding what may not appear in a URL ('<', '"', spaces, non-ASCII)."""
        return quote(url, safe=":/?#[]@!$&'()*+,;=%~")

    @staticmethod
    def mailto(email: str) -> str:
        return "mailto:" + quote(email, safe="@.+-_")

    def edit(self, repo_url: str, branch: str, file: str) -> str:
        """The forge's 'edit this file' page (GitHub and GitLab both use ``/edit/<branch>/<path>``)."""
        return f"{repo_url.rstrip('/')}/edit/{quote(branch)}/{quote(file)}"

    def repo(self, repo_url: str) -> str:
        return repo_url.rstrip("/")

    def feed_id(self, case_id: str | None = None) -> str:
        """Stable Atom ids: they must not change when the site moves to another host."""
        lang = "" if self.lang == "id" else f"{self.lang}:"
        return f"urn:jipp-kb:{lang}{'case:' + case_id if case_id else 'feed'}"
