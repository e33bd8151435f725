"""Build the static site, always in the same order:

gather -> render pages -> static files -> sitemap and feeds -> Pagefind.

The build is incremental. Each page has a key (hash of the theme, the
settings and what the page shows); a page whose key and file are unchanged
since the last build is neither rendered nor written, rendered Markdown is
reused by content hash, and a file is only rewritten when its bytes change.
Same input, same bytes: nothing depends on the clock or on dict order.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
from markupsafe import Markup

from jipp_kb.errors import JippError
from jipp_kb.config import Config
from jipp_kb.corpus import Corpus
from jipp_kb.render.feed import MAX_ENTRIES, FeedEntry, atom_feed
from jipp_kb.render.gather import Gathered, Similar, gather
from jipp_kb.render.i18n import I18nError, Strings, flat_keys
from jipp_kb.render.markdown import HtmlCache, page_html
from jipp_kb.progress import Progress, silent
from jipp_kb.render.page_cache import PageCache, Record, package_digest
from jipp_kb.render.pages import PACK_DOCUMENTS, Page, SiteInfo, Views, key_data
from jipp_kb.render.publish import staged
from jipp_kb.render.search_terms import FILE as TERMS_FILE
from jipp_kb.render.search_terms import search_terms
from jipp_kb.render.sitemap import SitemapEntry, part_names, sitemap_files
from jipp_kb.render.theme import ThemeDirs, ThemeError
from jipp_kb.render.urls import LANGS, UrlError, Urls

MANIFEST_VERSION = 1

NAV_KEYS = ("", "home", "search", "browse", "cases", "collections", "about")
PARALLEL_PAGES = 300
"""Below this many pages to render, forking workers costs more than it saves."""


class SiteError(JippError, RuntimeError):
    """A build that cannot go on (bad theme, colliding URLs); the message says what to fix."""


@dataclass
class BuildResult:
    output: Path
    pages: int
    """HTML pages in the site (both languages)."""
    rendered: int
    """Pages rendered this run; the others were up to date."""
    written: int
    """Files whose bytes changed."""
    removed: int
    markdown_rendered: int
    cached: int = 0
    """Pages whose data was not built: their keys came from the page cache (render/page_cache.py)."""
    search_pages: int | None = None
    """Pages Pagefind indexed, or None when search was not built."""
    timings: dict[str, float] = field(default_factory=dict)
    packs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Collection id → {file name: path in the site} of the learning packs written by this build."""


# -- theme ---------------------------------------------------------------------------------


@dataclass
class Theme:
    env: jinja2.Environment
    strings: dict[str, Strings]
    static: dict[str, bytes]
    pages: dict[str, str]
    """``about.id`` -> rendered HTML of ``pages/about.id.md`` (also ``complaints.<lang>``)."""
    digest: str


def _code_digest() -> str:
    """Pages depend on this package's code and the libraries that shape the HTML."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for dist in ("Jinja2", "Markdown", "nh3", "feedgen"):
        h.update(f"{dist} {metadata.version(dist)}".encode())
    return h.hexdigest()


def load_theme(override: Path | None = None, compiled: Path | None = None) -> Theme:
    """The packaged theme, under the files of ``override`` (the config's ``theme_dir``) when given.

    ``compiled``: where compiled templates are kept between builds."""
    try:
        dirs = ThemeDirs.with_override(override)
    except ThemeError as exc:
        raise SiteError(str(exc)) from None
    for sub in ("templates", "static", "i18n", "pages"):
        if not (dirs.base / sub).is_dir():
            raise SiteError(f"theme folder {dirs.base} has no {sub}/ (expected templates/, static/, i18n/, pages/)")
    try:
        data = {lang: dirs.strings("i18n", lang) for lang in LANGS}
    except I18nError as exc:
        raise SiteError(str(exc)) from None
    base = flat_keys(data["id"])
    for lang in LANGS[1:]:
        keys = flat_keys(data[lang])
        if keys != base:
            missing, extra = sorted(base - keys), sorted(keys - base)
            where = " or ".join(str(d / "i18n" / f"{lang}.yml") for d in dirs.dirs)
            raise SiteError(f"{where}: keys differ from id.yml; missing {missing[:5]}, extra {extra[:5]}")
    h = hashlib.sha256(_code_digest().encode())
    for rank, rel, path in dirs.all_files():
        h.update(f"{rank} {rel}".encode() + b"\0" + path.read_bytes())
    static = {name: path.read_bytes() for name, path in dirs.files("static").items()}
    pages = {
        name.removesuffix(".md"): page_html(path.read_text(encoding="utf-8"))
        for name, path in dirs.files("pages").items()
        if name.endswith(".md")
    }
    for lang in LANGS:
        for page in ("about", "complaints"):
            if f"{page}.{lang}" not in pages:
                raise SiteError(f"theme has no pages/{page}.{lang}.md")
    env = dirs.env("templates", compiled)
    env.auto_reload = False  # a theme serves one build: its templates are read once, not checked on disk for every page
    return Theme(env, {lang: Strings(lang, data[lang]) for lang in LANGS}, static, pages, h.hexdigest())


# -- output ---------------------------------------------------------------------------------


class Writer:
    """Writes files under the output folder, remembering (key, size) of each in a manifest.

    Files the previous build wrote and this one did not (a deleted case) are
    removed; files the site does not own (``packs/``, a CNAME) are never touched.
    """

    def __init__(self, root: Path, manifest: Path | None) -> None:
        self.root = root
        self._root = str(root)
        self.manifest = manifest
        self.old: dict[str, list] = {}
        if manifest and manifest.exists():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                if data.get("version") == MANIFEST_VERSION:
                    self.old = data["files"]
            except (OSError, ValueError, KeyError):
                self.old = {}
        self.files: dict[str, list] = {}
        self.written = 0
        self.removed = 0

    def _claim(self, rel: str) -> None:
        if rel in self.files:
            raise SiteError(f"two pages would be written to {rel}; two names give the same URL")

    def up_to_date(self, rel: str, key: str) -> bool:
        """True, and the file is this build's, if the last build wrote it with this key and it is still there."""
        if not self.current(rel, key):
            return False
        self.keep(rel)
        return True

    def current(self, rel: str, key: str) -> bool:
        """The last build wrote ``rel`` with this key, and the file still has the size it wrote."""
        entry = self.old.get(rel)
        if not entry or entry[0] != key:
            return False
        try:
            return os.stat(f"{self._root}/{rel}").st_size == entry[1]
        except OSError:
            return False

    def keep(self, rel: str) -> None:
        """The file, :meth:`current`, is part of this build as it is."""
        self._claim(rel)
        self.files[rel] = self.old[rel]

    def claim(self, rel: str) -> None:
        self._claim(rel)
        self.files[rel] = []

    def write(self, rel: str, data: bytes, key: str) -> None:
        self.claim(rel)
        self.record(rel, key, len(data), store(self.root / rel, data))

    def record(self, rel: str, key: str, size: int, changed: bool) -> None:
        self.files[rel] = [key, size]
        self.written += changed

    def finish(self) -> None:
        for rel in sorted(set(self.old) - set(self.files)):
            path = self.root / rel
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                self.removed += 1
            for parent in path.parents:
                if parent == self.root or not parent.is_relative_to(self.root):
                    break
                with contextlib.suppress(OSError):
                    parent.rmdir()  # only succeeds when empty

    def forget(self) -> None:
        """Drop the old manifest before the site is published: a kill then costs a full render, never a stale page."""
        if self.manifest:
            self.manifest.unlink(missing_ok=True)

    def save(self) -> None:
        """Write the manifest of the published site (a new file renamed into place)."""
        if self.manifest:
            self.manifest.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.manifest.with_name(f"{self.manifest.name}.{os.getpid()}.tmp")
            tmp.write_text(
                json.dumps({"version": MANIFEST_VERSION, "files": dict(sorted(self.files.items()))}, separators=(",", ":")),
                encoding="utf-8",
            )
            tmp.replace(self.manifest)


def store(path: Path, data: bytes) -> bool:
    """Write ``data`` unless the file already holds exactly these bytes; True if written.

    A changed file is replaced, not written into: it may be a hard link to the published site.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
        path.unlink()
    except OSError:
        pass
    try:
        path.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return True


def _key(*parts: Any) -> str:
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True, ensure_ascii=False, default=key_data, separators=(",", ":")).encode("utf-8")
    ).hexdigest()


# -- page rendering ------------------------------------------------------------------------


@dataclass
class _Job:
    rel: str
    key: str
    lang: str
    page: Page


class _Renderer:
    """Renders and writes pages; forked workers share it (copy-on-write) when there are many."""

    def __init__(self, theme: Theme, root: Path, globals_: dict[str, dict], html: dict[str, str], jobs: list[_Job]) -> None:
        self.theme, self.root, self.globals, self.html, self.jobs = theme, root, globals_, html, jobs

    def render(self, job: _Job) -> bytes:
        page = job.page
        ctx = page.context(self.html) if callable(page.context) else page.context
        return self.theme.env.get_template(page.template).render(**self.globals[job.lang], **ctx).encode("utf-8")

    def run_range(self, start: int, end: int) -> list[tuple[str, str, int, bool]]:
        out = []
        for job in self.jobs[start:end]:
            data = self.render(job)
            out.append((job.rel, job.key, len(data), store(self.root / job.rel, data)))
        return out

    def run(self, progress: Progress) -> list[tuple[str, str, int, bool]]:
        step = 64
        ranges = [(i, min(i + step, len(self.jobs))) for i in range(0, len(self.jobs), step)]
        workers = min(os.cpu_count() or 1, 8)
        results: list[tuple[str, str, int, bool]] = []
        with progress(len(self.jobs), "Rendering pages") as bar:
            if workers > 1 and len(self.jobs) >= PARALLEL_PAGES and "fork" in multiprocessing.get_all_start_methods():
                global _ACTIVE
                env = self.theme.env
                for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
                    env.get_template(name)  # loaded here once, not in every worker
                _ACTIVE = self
                try:
                    with multiprocessing.get_context("fork").Pool(workers) as pool:
                        for (start, end), chunk in zip(ranges, pool.imap(_run_range, ranges), strict=True):
                            results += chunk
                            bar.update(end - start)
                finally:
                    _ACTIVE = None
            else:
                for start, end in ranges:
                    results += self.run_range(start, end)
                    bar.update(end - start)
        return results


_ACTIVE: _Renderer | None = None
"""The renderer forked workers use; set only while a pool runs."""


def _run_range(bounds: tuple[int, int]) -> list[tuple[str, str, int, bool]]:
    assert _ACTIVE is not None
    return _ACTIVE.run_range(*bounds)


def _card_renderer(theme: Theme) -> Callable[[Any], Markup]:
    """``card_html(card)`` for the templates: the ``card`` macro, rendered once per card and language."""
    card = theme.env.get_template("macros.html").make_module({}).card
    memo: dict[str, Markup] = {}

    def card_html(c: Any) -> Markup:
        html = memo.get(c.digest)
        if html is None:
            html = memo[c.digest] = Markup(card(c))
        return html

    return card_html


def _chrome(theme: Theme, lang: str, urls: Urls, site: SimpleNamespace) -> SimpleNamespace:
    """Header, navigation and footer of one language, rendered once instead of on every page.

    An object, not a dict: templates read its parts as attributes, and a dict makes Jinja fail an attribute lookup first."""
    t = theme.strings[lang]
    mod = theme.env.get_template("_chrome.html").make_module({"urls": urls, "t": t, "site": site, "lang": lang})
    return SimpleNamespace(
        head=Markup(mod.head()),
        brand=Markup(mod.brand()),
        nav={key: Markup(mod.nav_row(key)) for key in NAV_KEYS},
        footer=Markup(mod.footer()),
        skip=t("a11y.skip"),
        switch=t("lang.switch"),
        breadcrumbs=t("nav.breadcrumbs"),
        tagline=t("site.tagline"),
    )


# -- hooks ------------------------------------------------------------------------------------


def pack_downloads(output: Path, collection_ids: Iterable[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """Hook for the learning-pack builder: the pack documents present in the output, per collection.

    The packs step writes ``<output>/packs/<collection-id>/`` (``PACK_DOCUMENTS``:
    handout.pdf, matrix.csv, pack.zip, …); a collection page links to the files
    that exist. Build the packs first, or run the site build again after them
    (it only re-renders the collection pages whose links changed).
    """
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for cid in collection_ids:
        docs = [(doc, [n for n in names if (output / Urls.pack_file_path(cid, n)).is_file()]) for doc, names in PACK_DOCUMENTS]
        present = [(doc, names) for doc, names in docs if names]
        if present:
            out[cid] = present
    return out


# -- the build -------------------------------------------------------------------------------


def build_site(
    corpus: Corpus,
    config: Config,
    similar: Similar | None = None,
    *,
    output: Path | None = None,
    search: bool = True,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    packs: Callable[[Path], dict[str, dict[str, str]]] | None = None,
    fragments: Callable[[Writer], int] | None = None,
) -> BuildResult:
    """Render the valid cases of ``corpus`` to ``output`` (default: the config's ``site_dir``).

    The build happens in a copy of ``output`` that replaces it when complete
    (render/publish.py); callers that may run concurrently hold ``site_lock``.
    ``packs(folder)`` writes the learning packs into that copy first, so the
    collection pages link them and they are published with the pages, at once.
    ``fragments(writer)`` writes the pack page's per-case fragments through the
    build's writer (so they are incremental and published with the pages); the
    pack page and the search page's "make a learning pack" exist only with it.

    ``similar`` maps a case id to ``[(other id, reason)]`` for "Inovasi serupa".
    ``cache_dir`` (default ``<index_dir>/site-cache``) holds rendered Markdown
    and the manifest that makes the next build incremental. The theme is the
    packaged one, under the files of the config's ``theme_dir`` if set.
    """
    # A build allocates hundreds of thousands of small objects and frees them
    # all at the end; the cycle collector only slows that down (by a third at 10k cases).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        out = output or config.resolve(config.site_dir)
        cache = cache_dir or config.resolve(config.index_dir) / "site-cache"
        place = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
        manifest = cache / f"manifest-{place}.json"
        clock = time.perf_counter()
        listing = cache / f"standby-{place}.json"
        with staged(out.resolve(), listing) as work:  # a symlinked site folder keeps its link; its target is replaced
            stage = time.perf_counter() - clock
            built = packs(work) if packs else {}
            writer = Writer(work, manifest)
            result = _build(
                corpus, config, similar, work=work, writer=writer, search=search, cache=cache, progress=progress, fragments=fragments
            )
            result.packs = built
            writer.forget()
            clock = time.perf_counter()
        writer.save()
        result.timings |= {"stage": stage, "publish": time.perf_counter() - clock}
        result.output = out
        return result
    finally:
        if was_enabled:
            gc.enable()


def _build(
    corpus: Corpus,
    config: Config,
    similar: Similar | None,
    *,
    work: Path,
    writer: Writer,
    search: bool,
    cache: Path,
    progress: Progress | None,
    fragments: Callable[[Writer], int] | None = None,
) -> BuildResult:
    """The build proper, into ``work`` (the staged copy of the site)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    progress = progress or silent
    theme = load_theme(config.theme_path(), cache / "templates")
    try:
        base_urls = Urls.from_base_url(config.base_url)
    except UrlError as exc:
        raise SiteError(str(exc)) from None
    terms = search_terms(corpus.glossary, corpus.sorted_cases(), cache / "search-terms.sqlite")
    versions = {name: hashlib.sha256(data).hexdigest()[:10] for name, data in [*theme.static.items(), (TERMS_FILE, terms)]}
    base_urls = Urls(base_urls.base, base_urls.origin, "id", versions)

    # 1. gather
    g = gather(corpus, similar or {}, config.corpus)
    downloads = pack_downloads(work, g.collections)
    settings = [theme.digest, config.title, config.title_en, config.base_url, config.repo_url, config.edit_branch]
    timings["gather"] = time.perf_counter() - clock

    # 2. pages
    clock = time.perf_counter()
    html_cache = HtmlCache(cache / "markdown.sqlite")
    page_cache = PageCache(cache / "pages.json")
    package = package_digest()
    listed: list[tuple[str, str, str | None]] = []  # (language, page path, last modified) of the sitemap's pages
    jobs: list[_Job] = []
    n_pages = cached = 0
    globals_: dict[str, dict] = {}
    card_html = _card_renderer(theme)
    for lang in LANGS:
        urls = base_urls.for_lang(lang)
        t = theme.strings[lang]
        site = SimpleNamespace(title=config.title_en if lang == "en" else config.title, repo_url=config.repo_url)
        info = SiteInfo(
            repo_url=config.repo_url,
            edit_branch=config.edit_branch,
            searchable=search,
            api_url=config.api_url,
            downloads=downloads,
            pack_page=fragments is not None,
            about_html=theme.pages[f"about.{lang}"],
            complaints_html=theme.pages[f"complaints.{lang}"],
        )
        scope = _key(settings, package, lang, vars(info))
        for group in Views(g, t, urls, info, page_cache.cards(scope)).groups():
            name = PageCache.name(scope, group.inputs) if group.inputs else None
            records = page_cache.get(name) if name else None
            rels = [urls.output_file(r.path) for r in records] if records is not None else []
            if records is not None and all(writer.current(rel, r.key) for rel, r in zip(rels, records, strict=True)):
                for rel in rels:
                    writer.keep(rel)
                page_cache.keep(name)
                cached += len(records)
            else:
                records = []
                for page in group.build():
                    rel = urls.output_file(page.path)
                    key = _key(settings, lang, page.template, page.key)
                    lastmod = page.lastmod.isoformat() if page.lastmod else None
                    records.append(Record(page.path, key, lastmod, page.in_sitemap))
                    if writer.up_to_date(rel, key):
                        continue
                    writer.claim(rel)
                    jobs.append(_Job(rel, key, lang, page))
                if name:
                    page_cache.put(name, records)
            n_pages += len(records)
            listed += [(lang, r.path, r.lastmod) for r in records if r.in_sitemap]
        try:
            globals_[lang] = {
                "lang": lang,
                "t": t,
                "urls": urls,
                "site": site,
                "chrome": _chrome(theme, lang, urls, site),
                "card_html": card_html,
            }
        except (jinja2.TemplateError, I18nError) as exc:
            raise SiteError(f"rendering failed: {exc}") from None
    page_cache.save(set(g.stamps.values()))
    timings["plan"] = time.perf_counter() - clock  # every page's key, from the page cache or from its data
    jobs.sort(key=lambda job: (job.page.path, job.lang))  # a page's languages side by side: one worker, shared work (glossary terms)
    try:
        md_clock = time.perf_counter()
        html = html_cache.render([text for job in jobs for text in job.page.sections])
        timings["markdown"] = time.perf_counter() - md_clock
        for rel, key, size, changed in _Renderer(theme, work, globals_, html, jobs).run(progress):
            writer.record(rel, key, size, changed)
    except (jinja2.TemplateError, I18nError, UrlError) as exc:
        raise SiteError(f"rendering failed: {exc}") from None
    finally:
        html_cache.prune_if_grown([text for case in g.cases for text in case.sections.values()])
        html_cache.close()
    markdown_rendered = html_cache.rendered
    timings["pages"] = time.perf_counter() - clock

    # 3. static files
    clock = time.perf_counter()
    for name, data in [*theme.static.items(), (TERMS_FILE, terms)]:
        writer.write(f"static/{name}", data, versions[name])
    timings["static"] = time.perf_counter() - clock

    # 3b. the pack page's per-case fragments
    if fragments:
        clock = time.perf_counter()
        fragments(writer)
        timings["pack_fragments"] = time.perf_counter() - clock

    # 4. sitemap and feeds
    clock = time.perf_counter()
    _write_sitemap(writer, base_urls, listed, settings)
    for lang in LANGS:
        _write_feed(writer, g, base_urls.for_lang(lang), theme.strings[lang], config)
    writer.finish()
    timings["sitemap_feed"] = time.perf_counter() - clock

    result = BuildResult(work, n_pages, len(jobs), writer.written, writer.removed, markdown_rendered, cached, timings=timings)

    # 5. search index
    if not search:
        from jipp_kb.render.pagefind import remove_bundles

        remove_bundles(work)  # a stale index would find pages this build no longer has
    else:
        from jipp_kb.render.pagefind import SearchIndexError, bundle_stats, index_site

        clock = time.perf_counter()
        existing = bundle_stats(work) if not writer.written and not writer.removed else None
        if existing is not None:  # no file changed since the bundle was made: it is still right
            result.search_pages = existing.pages
        else:
            try:
                result.search_pages = index_site(work).pages
            except SearchIndexError as exc:
                raise SiteError(f"{exc} (the site was left as it was; run again, or build with --no-search)") from None
        timings["search"] = time.perf_counter() - clock
    return result


def _write_sitemap(writer: Writer, urls: Urls, listed: list[tuple[str, str, str | None]], settings: list) -> None:
    """``listed``: (language, page path, ISO date last modified) of the pages the sitemap lists."""
    lines = "\n".join(f"{lang} {path} {lastmod}" for lang, path, lastmod in listed)  # a third of the time of _key's JSON
    key = _key(settings, "sitemap", hashlib.sha256(lines.encode("utf-8")).hexdigest())
    names = part_names(len(listed))
    fresh = [name for name in names if not writer.up_to_date(name, key)]
    if not fresh:
        return
    entries = []
    versions: dict[str, tuple[tuple[str, str], ...]] = {}  # a page's languages, worked out once for both entries
    for lang, path, lastmod in listed:
        alternates = versions.get(path)
        if alternates is None:
            alternates = versions[path] = tuple((other, urls.absolute(urls.page(path, other))) for other in LANGS)
        url = next(url for other, url in alternates if other == lang)
        entries.append(SitemapEntry(url, alternates, lastmod))
    for name, data in sitemap_files(entries, lambda name: urls.absolute(urls.base + name)).items():
        if name in fresh:
            writer.write(name, data, key)


def _write_feed(writer: Writer, g: Gathered, urls: Urls, t: Strings, config: Config) -> None:
    newest = [g.by_id[cid] for cid in g.reviewed[:MAX_ENTRIES]]
    entries = [
        FeedEntry(
            id=urls.feed_id(c.id),
            title=c.meta.title,
            url=urls.absolute(urls.case(c.id)),
            summary=c.meta.summary_en if t.lang == "en" else c.meta.summary,
            updated=c.meta.last_reviewed,
            categories=tuple(t.urusan(u) for u in c.meta.urusan),
        )
        for c in newest
    ]
    data = atom_feed(
        feed_id=urls.feed_id(),
        title=f"{config.title_en if t.lang == 'en' else config.title}: {t('feed.title')}",
        subtitle=t("feed.subtitle"),
        lang=t.lang,
        self_url=urls.absolute(urls.feed()),
        home_url=urls.absolute(urls.home()),
        author=t("feed.author"),
        entries=entries,
    )
    writer.write(urls.output_file("feed.xml"), data, hashlib.sha256(data).hexdigest())
