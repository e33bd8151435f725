"""What each page shows: the list of pages of one language, with their data.

A page's context is plain data (strings, numbers, lists, dicts) so it can be
hashed: when the hash of what a page shows is the same as in the previous
build, the page is not rendered again. Case pages are the exception, as their
bodies are Markdown: their key is the case file's digest plus everything the
page takes from other cases, and their context is built only when needed.

Pages come in groups (:class:`PageGroup`): a case's page, one list with all
its pages, or the pages built on every run. A group's ``inputs`` is a digest of
what its pages are made from besides the build's settings (the file digests of
the cases it shows), so a rebuild takes the keys of an unchanged group from the
page cache (render/page_cache.py) instead of building its data again.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from datetime import date
from types import SimpleNamespace
from typing import Any

from jipp_kb import choices, vocab
from jipp_kb.corpus import Case
from jipp_kb.render.charts import Bar, horizontal_bars, vertical_bars
from jipp_kb.render.gather import Gathered
from jipp_kb.render.i18n import Strings
from jipp_kb.render.markdown import CITE_TARGET
from jipp_kb.render.search_terms import FILE as TERMS_FILE
from jipp_kb.render.urls import NO_YEAR, PACK_PAGE, Urls, slug
from jipp_kb.schema import SECTIONS, SECTIONS_EN

EXCERPT_WORDS = 32
HOME_LIST = 6
PACK_DOCUMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("handout", ("handout.pdf", "handout.html")),
    ("handout_short", ("handout-short.pdf", "handout-short.html")),
    ("matrix", ("matrix.pdf", "matrix.html", "matrix.csv")),
    ("questions", ("questions.pdf", "questions.html")),
    ("agenda", ("agenda.pdf", "agenda.html")),
    ("rtl", ("rtl.pdf", "rtl.html")),
    ("evaluation", ("evaluation.pdf", "evaluation.html")),
    ("markdown", ("pack.md",)),
    ("zip", ("pack.zip",)),
)
"""A learning pack's documents and their files, in the order a collection page lists them (the pack builder writes them)."""
CARDS_PER_PAGE = 50
"""Cards on one page of a list: at 10,000 cases one status lists ~3,300, unusable on a phone."""
ROWS_PER_PAGE = 200
"""Rows on one page of the table of all cases (a row is one line, a card a paragraph)."""
PAGER_SPREAD = 2
"""Page links shown either side of the current page (plus the first and the last)."""


@dataclass(frozen=True, slots=True)
class Card:
    """What a list shows of a case. An object, not a dict: templates read attributes, and Jinja reads
    a dict's keys only after an attribute lookup has failed, which is slow on pages listing thousands."""

    id: str
    title: str
    url: str
    region: str
    year: int | None
    status: str
    status_label: str
    excerpt: str
    digest: str
    """Hash of the fields above: a list page's key holds this instead of the card."""


def namespace(data: Any) -> Any:
    """Dicts (nested in lists too) as attribute objects, for fast template access."""
    if isinstance(data, dict):
        return SimpleNamespace(**{k: namespace(v) for k, v in data.items()})
    if isinstance(data, list):
        return [namespace(v) for v in data]
    return data


def key_data(obj: Any) -> Any:
    """JSON form of what ``json`` cannot encode itself, for page keys."""
    if isinstance(obj, Card):
        return obj.digest
    if isinstance(obj, SimpleNamespace):
        return vars(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    raise TypeError(f"cannot hash {type(obj).__name__} into a page key")


@dataclass
class Page:
    path: str
    template: str
    key: Any
    """JSON-serialisable: everything the page shows (with the theme and config, which the build adds)."""
    context: dict | Callable[[dict[str, str]], dict] = field(default_factory=dict)
    """The template's data; for case pages a function of the rendered sections."""
    sections: tuple[str, ...] = ()
    """Markdown this page needs rendered (case pages)."""
    lastmod: date | None = None
    in_sitemap: bool = True


Section = tuple[str, list[str]]
"""A named part of a list and its case ids; the name (a kabupaten, an award's year and tier) is the same in both languages."""


@dataclass
class PageGroup:
    """Pages built together, from the same inputs."""

    inputs: str | None
    """Digest of everything the pages show that is not a setting of the whole build (theme, code, config):
    the cases they list with their file digests, the links between cases. None: built on every run (the
    pages that count or sample the whole library: home, indexes, search)."""
    build: Callable[[], list[Page]]


@dataclass
class SiteInfo:
    """Settings from the config that pages show."""

    repo_url: str
    edit_branch: str
    searchable: bool
    downloads: dict[str, list[tuple[str, list[str]]]]
    """Collection id -> [(document, [file names])] of pack files present in the output."""
    about_html: str
    complaints_html: str
    """The guide to ``jipp-kb complaints`` (``pages/complaints.<lang>.md``)."""
    api_url: str = ""
    """Base URL of a `jipp-kb serve` elsewhere; empty: ask the site's own server."""
    pack_page: bool = False
    """The build writes the pack page's per-case fragments: the pack page exists and search results offer it."""


SEARCH_STRINGS = (
    "searching",
    "count",
    "partial",
    "partial_top",
    "missing",
    "also",
    "profile",
    "started",
    "suggest",
    "applied",
    "remove",
    "relaxed",
    "hidden",
    "choose",
    "pack_top",
    "pack_chosen",
    "pack_max",
)
"""Keys under ``search.`` that search.js shows (passed to it as JSON in a data attribute)."""
PACK_PAGE_STRINGS = ("loading", "none", "not_found", "bad_id", "too_many", "failed", "cases", "served")
"""Keys under ``packpage.`` that pack.js shows."""
PACK_MAX_CASES = 8
"""Cases in one pack on demand (``jipp_kb.pack.fragments.MAX_CASES``, which the API enforces, is this)."""


class Views:
    """Builds the data of every page for one language."""

    def __init__(self, g: Gathered, t: Strings, urls: Urls, info: SiteInfo, known_cards: dict[str, str] | None = None) -> None:
        """``known_cards``: case stamp -> card digest in this language, from the page cache; new ones are added to it."""
        self.g, self.t, self.urls, self.info = g, t, urls, info
        self.known_cards = {} if known_cards is None else known_cards
        self.lang = t.lang
        self._cards: dict[str, Card] = {}
        self._regions: dict[str, str] = {}
        self._rank = g.rank

    # -- small pieces ---------------------------------------------------------------

    def crumbs(self, *trail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
        return [(self.t("nav.home"), self.urls.home()), *trail]

    def region(self, case: Case) -> str:
        if case.id not in self._regions:
            m = case.meta
            self._regions[case.id] = ", ".join(x for x in (m.village, m.regency, m.province) if x) or self.t("values.national")
        return self._regions[case.id]

    def summary(self, case: Case) -> str:
        return case.meta.summary_en if self.lang == "en" else case.meta.summary

    def card(self, case_id: str) -> Card:
        """What a list shows of a case; memoised, since a case appears on many pages."""
        if case_id not in self._cards:
            case = self.g.by_id[case_id]
            words = self.summary(case).split()
            excerpt = " ".join(words[:EXCERPT_WORDS])
            if len(words) > EXCERPT_WORDS:
                excerpt = excerpt.rstrip(".,;:") + "…"
            fields = (
                case_id,
                case.meta.title,
                self.urls.case(case_id),
                self.region(case),
                case.meta.year_started,
                slug(case.meta.status),
                self.t.value("status", case.meta.status),
                excerpt,
            )
            digest = hashlib.sha1(repr(fields).encode("utf-8")).hexdigest()
            self._cards[case_id] = Card(*fields, digest)
        return self._cards[case_id]

    def page(
        self,
        path: str,
        template: str,
        title: str | None,
        ctx: dict,
        *,
        nav: str = "",
        crumbs=None,
        lastmod=None,
        sitemap=True,
        key: dict | None = None,
    ) -> Page:
        """``key``: what of ``ctx`` to hash instead of ``ctx`` itself, when cheaper and as telling (lists of cards as their digests)."""
        context = {**_frame(path, title, nav, crumbs), **ctx}
        return Page(path, template, context if key is None else {**context, **key}, context, lastmod=lastmod, in_sitemap=sitemap)

    # -- pages ----------------------------------------------------------------------------

    def groups(self) -> list[PageGroup]:
        """Every page of this language, in groups, in the order of the sitemap."""
        out = [PageGroup(None, lambda: [self.home(), self.browse()])]
        out += self.all_cases()
        out.append(PageGroup(None, self.general_pages))
        out += [PageGroup(self.case_inputs(c), partial(self.case_pages, c)) for c in self.g.cases]
        out += self.province_pages()
        out += self.facet_pages()
        out.append(PageGroup(None, self.collection_pages))
        return out

    def general_pages(self) -> list[Page]:
        pages = [self.search(), self.about(), self.complaints(), self.not_found()]
        return pages + ([self.pack_page()] if self.info.pack_page else [])

    def inputs(self, kind: str, *parts: str, ids: list[str] = ()) -> str:
        """A group's inputs digest: what kind of group, its own parts, and the cases it shows with their file digests.

        The sizes of list pages are in it too: they are code, but tests change them while the code stays the same."""
        memo = self.g.inputs
        name = (kind, *parts)
        if name not in memo:  # the same in both languages (a group's kind and parts fix its cases within a build)
            memo[name] = _inputs_digest(kind, parts, ids, self.g.stamps)
        return memo[name]

    def home(self) -> Page:
        g, u = self.g, self.urls
        cases = g.cases
        n_regencies = len(g.regencies)
        counts = [
            ("cases", len(cases), u.page("kasus/")),
            ("provinces", len([p for p in g.provinces if p]), u.page("provinsi/")),
            ("regencies", n_regencies, u.page("provinsi/")),
            ("urusan", len(g.urusan), u.facet("urusan")),
            ("awarded", len({cid for ids in g.awards.values() for cid in ids}), u.facet("penghargaan")),
        ]
        if g.collections:
            counts.append(("collections", len(g.collections), u.facet("koleksi")))
        newest, reviewed = g.newest[:HOME_LIST], g.reviewed[:HOME_LIST]
        collections = [
            {"title": self.collection_title(cid), "url": u.collection(cid), "n": len(col.cases)} for cid, col in g.collections.items()
        ]
        ctx = {
            "counts": counts,
            "newest": [self.card(cid) for cid in newest],
            "reviewed": [self.card(cid) for cid in reviewed],
            "collections": collections,
            "charts": self.charts(),
        }
        return self.page("", "home.html", None, ctx, nav="home")

    def charts(self) -> list[dict]:
        g, t, u = self.g, self.t, self.urls
        prov = sorted(g.provinces.items(), key=lambda kv: (-len(kv[1]), kv[0] is None, kv[0] or ""))
        prov_bars = [Bar(t.region(p), len(ids), u.province(p)) for p, ids in prov]
        urusan = sorted(g.urusan.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        urusan_bars = [Bar(t.urusan(k), len(ids), u.facet("urusan", k)) for k, ids in urusan]
        known = sorted(y for y in g.years if y is not None)
        year_bars = (
            [Bar(str(y), len(g.years.get(y, [])), u.facet("tahun", y) if y in g.years else None) for y in range(known[0], known[-1] + 1)]
            if known
            else []
        )
        out = []
        for key, bars, draw, heading in (
            ("province", prov_bars, horizontal_bars, "chart.col_province"),
            ("urusan", urusan_bars, horizontal_bars, "chart.col_urusan"),
            ("year", year_bars, vertical_bars, "chart.col_year"),
        ):
            if not bars:
                continue
            title = t(f"chart.{key}")
            out.append(
                {
                    "title": title,
                    "svg": draw(bars, chart_id=f"chart-{key}", title=title),
                    "label_heading": t(heading),
                    "rows": [{"label": b.label, "value": b.value, "href": b.href} for b in bars if b.value],
                }
            )
        return out

    def browse(self) -> Page:
        t, u, g = self.t, self.urls, self.g
        items = [
            ("province", u.page("provinsi/"), len(g.provinces)),
            ("urusan", u.facet("urusan"), len(g.urusan)),
            ("sdg", u.facet("sdg"), len(g.sdgs)),
            ("year", u.facet("tahun"), len(g.years)),
            ("award", u.facet("penghargaan"), len(g.awards)),
            ("tahapan", u.facet("tahapan"), len(g.tahapan)),
            ("status", u.facet("status"), len(g.status)),
        ]
        ctx = {"items": [{"label": t(f"facet.{k}.index"), "url": url, "note": f"{n} {t(f'facet.{k}.note')}"} for k, url, n in items]}
        return self.page("jelajahi/", "browse.html", t("browse.title"), ctx, nav="browse", crumbs=self.crumbs((t("browse.title"), None)))

    def all_cases(self) -> list[PageGroup]:
        """The table of all cases in title order, one group a page: a change rebuilds the page its case is on."""
        order = self.g.title_order
        return [
            PageGroup(self.inputs("all", str(number), str(total), ids=chunk), partial(self.all_cases_page, number, total, chunk))
            for number, total, chunk in _chunks(order, ROWS_PER_PAGE)
        ]

    def all_cases_page(self, number: int, total: int, ids: list[str]) -> list[Page]:
        title = self.t("all.title")
        rows = [self.card(i) for i in ids]
        path = self.urls.paged_path("kasus/", number)
        ctx = {"rows": rows, "n": len(self.g.cases), "pager": self.pager("kasus/", number, total)}
        crumbs = self.crumbs((title, None))
        key = {"rows": _digests(rows)}
        return [self.page(path, "all_cases.html", self.paged_title(title, number), ctx, nav="cases", crumbs=crumbs, key=key)]

    def paged_title(self, title: str, number: int) -> str:
        """Page 2 onwards say which page they are: no two pages share a title."""
        return title if number == 1 else f"{title} ({self.t('pager.page', n=number)})"

    def pager(self, path: str, number: int, total: int) -> dict | None:
        """Previous/next and nearby page links of page ``number`` of ``total`` of the list at ``path``; None for one page."""
        if total == 1:
            return None
        u = self.urls
        link = lambda k: u.page(u.paged_path(path, k))  # noqa: E731
        shown = sorted({1, total, *range(max(1, number - PAGER_SPREAD), min(total, number + PAGER_SPREAD) + 1)})
        items: list[dict] = []
        for k in shown:
            if items and k > items[-1]["n"] + 1:
                items.append({"n": None, "url": None, "current": False})  # a gap
            items.append({"n": k, "url": link(k), "current": k == number})
        return {
            "number": number,
            "total": total,
            "prev": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if number < total else None,
            "items": items,
            "label": self.t("pager.of", n=number, total=total),
        }

    def search(self) -> Page:
        t, u = self.t, self.urls
        ctx = {
            "js_strings": {k: t(f"search.{k}") for k in SEARCH_STRINGS},
            "filters": self.search_filters(),
            "searchable": self.info.searchable,
            "bundles": u.search_bundles(len(self.g.cases)) if self.info.searchable else [],
            "api": (self.info.api_url.rstrip("/") + "/api/search") if self.info.api_url else u.api_search(),
            "terms_url": u.static(TERMS_FILE),
            "pack_page": u.pack_page() if self.info.pack_page else "",
            "pack_max": PACK_MAX_CASES,
        }
        return self.page("cari/", "search.html", t("search.title"), ctx, nav="search", crumbs=self.crumbs((t("search.title"), None)))

    def search_filters(self) -> list[dict]:
        """The search page's filter menus: the API's parameter and value, Pagefind's filter name and value, with counts.

        Pagefind filters by what the case page shows (translated labels), the API by canonical values, so each option carries both.
        """
        g, t = self.g, self.t

        def option(value: str, label: str, n: int, param: str = "", province: str = "") -> dict:
            return {"value": value, "label": label, "text": f"{label} ({n})", "param": param, "province": province}

        provinces = sorted(g.provinces, key=lambda p: (p is None, p or ""))
        menus = [
            (
                "province",
                [
                    option(p, p, len(g.provinces[p])) if p else option("nasional", t.region(None), len(g.provinces[p]), param="level")
                    for p in provinces
                ],
            ),
            ("regency", [option(r, r, len(ids), province=p) for (p, r), ids in sorted(g.regencies.items(), key=lambda kv: kv[0][1])]),
            ("urusan", [option(k, t.urusan(k), len(g.urusan[k])) for k in sorted(g.urusan, key=lambda k: t.urusan(k).casefold())]),
            ("year", [option(str(y), str(y), len(g.years[y])) for y in sorted((y for y in g.years if y), reverse=True)]),
            ("jenis", [option(k, t.value("jenis", k), len(g.jenis[k])) for k in choices.JENIS if k in g.jenis]),
            ("award", [option(a, a, len(g.awards[a])) for a in sorted(g.awards, key=str.casefold)]),
            ("status", [option(k, t.value("status", k), len(g.status[k])) for k in choices.STATUS if k in g.status]),
        ]
        return [{"name": name, "label": t(f"filter.{name}"), "options": options} for name, options in menus if options]

    def pack_page(self) -> Page:
        """``paket/?kasus=a,b,c``: pack.js assembles the chosen cases' handout and matrix (``jipp_kb/pack/fragments.py``)."""
        t, u = self.t, self.urls
        ctx = {
            "js_strings": {k: t(f"packpage.{k}") for k in PACK_PAGE_STRINGS},
            "fragments": u.pack_fragments(),
            "api": (self.info.api_url.rstrip("/") + "/api/pack") if self.info.api_url else u.api_pack(),
            "pack_max": PACK_MAX_CASES,
        }
        crumbs = self.crumbs((t("search.title"), u.search()), (t("packpage.title"), None))
        return self.page(PACK_PAGE, "pack.html", t("packpage.title"), ctx, nav="search", crumbs=crumbs, sitemap=False)

    def about(self) -> Page:
        t = self.t
        ctx = {"body": self.info.about_html, "repo_url": self.info.repo_url}
        return self.page("tentang/", "about.html", t("about.title"), ctx, nav="about", crumbs=self.crumbs((t("about.title"), None)))

    def complaints(self) -> Page:
        """How an office turns its complaint export into themes and proven innovations (linked from the about page)."""
        t = self.t
        crumbs = self.crumbs((t("about.title"), self.urls.page("tentang/")), (t("complaints.title"), None))
        return self.page("pengaduan/", "guide.html", t("complaints.title"), {"body": self.info.complaints_html}, nav="about", crumbs=crumbs)

    def not_found(self) -> Page:
        return self.page("404.html", "404.html", self.t("notfound.title"), {}, sitemap=False)

    # -- case pages -------------------------------------------------------------------

    def case_inputs(self, case: Case) -> str:
        """The inputs of :meth:`case_page`: the case, and of other cases and collections what the page shows of them.

        The same in both languages: worked out once a build."""
        g, cid = self.g, case.id
        if ("case", cid) in g.inputs:
            return g.inputs[("case", cid)]
        stamps = g.stamps
        came = [stamps.get(ref, ref) for ref in g.replicated_from.get(cid, [])]  # a ref outside the corpus is a region name
        went = [stamps.get(ref, ref) for ref in g.replicated_by.get(cid, [])]
        similar = [f"{stamps[o]} {reason}" for o, reason in g.similar.get(cid, [])]
        collections = [f"{k} {g.collection_digests[k]}" for k in g.case_collections.get(cid, [])]
        parts = (g.glossary_key, g.edit_files[cid], *map(str, (len(came), len(went), len(similar))), *came, *went, *similar, *collections)
        g.inputs[("case", cid)] = _inputs_digest("case", parts, [cid], stamps)
        return g.inputs[("case", cid)]

    def case_pages(self, case: Case) -> list[Page]:
        return [self.case_page(case)]

    def case_page(self, case: Case) -> Page:
        """Keyed by the file digest plus what the page shows of other cases and collections."""
        g, t, u = self.g, self.t, self.urls
        cid = case.id
        related = {
            "replicated_from": [self.replica(ref) for ref in g.replicated_from.get(cid, [])],
            "replicated_by": [self.replica(ref) for ref in g.replicated_by.get(cid, [])],
            "similar": [
                {"title": g.by_id[o].meta.title, "url": u.case(o), "region": self.region(g.by_id[o]), "reason": reason}
                for o, reason in g.similar.get(cid, [])
            ],
            "collections": [{"title": self.collection_title(k), "url": u.collection(k)} for k in g.case_collections.get(cid, [])],
            "glossary": g.glossary_key,
            "edit_url": u.edit(self.info.repo_url, self.info.edit_branch, g.edit_files[cid]) if self.info.repo_url else None,
        }
        texts = tuple(case.sections[s] for s in SECTIONS)

        def context(html: dict[str, str]) -> dict:
            headings = SECTIONS_EN if self.lang == "en" else {s: s for s in SECTIONS}
            sections = [SimpleNamespace(id=slug(s), heading=headings[s], html=html[case.sections[s]]) for s in SECTIONS if case.sections[s]]
            crumbs = self.crumbs(
                (t("facet.province.index"), u.page("provinsi/")),
                (t.region(case.meta.province), u.province(case.meta.province)),
                *(
                    [(case.meta.regency, u.regency(case.meta.province, case.meta.regency))]
                    if case.meta.province and case.meta.regency
                    else []
                ),
                (case.meta.title, None),
            )
            return {
                "page_path": u.case_path(cid),
                "page_title": case.meta.title,
                "nav": "",
                "breadcrumbs": crumbs,
                "description": " ".join(self.summary(case).split()[:40]),
                "v": self.case_view(case, related),
                "terms": self.terms(case),
                "sections": sections,
            }

        return Page(
            u.case_path(cid), "case.html", {"digest": case.digest, "related": related}, context, texts, lastmod=case.meta.last_reviewed
        )

    def terms(self, case: Case) -> list[SimpleNamespace]:
        """The glossary entries the case uses that have something to explain in this language: an expansion, or an English gloss."""
        if self.lang == "en":
            return [SimpleNamespace(term=e.term, text=e.en) for e in self.g.terms(case.text) if e.en]
        return [SimpleNamespace(term=e.term, text=e.expansion) for e in self.g.terms(case.text) if e.expansion]

    def replica(self, ref: str) -> dict:
        case = self.g.by_id.get(ref)
        if case:
            return {"label": f"{case.meta.title} ({self.region(case)})", "url": self.urls.case(ref)}
        return {"label": ref, "url": None}  # a region outside the corpus, shown as text

    def case_view(self, case: Case, related: dict) -> SimpleNamespace:
        """What the case template shows, built as attribute objects (not dicts turned into them: that cost a third more)."""
        m, t, u = case.meta, self.t, self.urls
        seen_awards: set[str] = set()
        awards = []
        for a in m.awards:
            tiered = a.tier and vocab.awards()[a.name]["tiers"]  # "KIPP Top 45", as --award takes it
            awards.append(
                SimpleNamespace(
                    name=a.name,
                    tier=a.tier,
                    year=a.year,
                    url=u.facet("penghargaan", a.name),
                    filter=a.name not in seen_awards,
                    tier_filter=f"{a.name} {a.tier}" if tiered else None,
                )
            )
            seen_awards.add(a.name)
        confirmed = m.status_confirmed
        return SimpleNamespace(
            title=m.title,
            depth=m.depth,
            acronym_expansion=m.acronym_expansion,
            summary=self.summary(case),
            region_line=self.region(case),
            agency=m.agency,
            province=SimpleNamespace(label=t.region(m.province), url=u.province(m.province)),
            regency=SimpleNamespace(label=m.regency, url=u.regency(m.province, m.regency)) if m.province and m.regency else None,
            village=m.village,
            level=t.value("level", m.level),
            urusan=[SimpleNamespace(label=t.urusan(x), url=u.facet("urusan", x)) for x in m.urusan],
            jenis=t.value("jenis", m.jenis),
            bentuk=t.value("bentuk", m.bentuk),
            tahapan=SimpleNamespace(label=t.value("tahapan", m.tahapan), url=u.facet("tahapan", m.tahapan)),
            inisiator=[t.value("inisiator", x) for x in m.inisiator],
            year=SimpleNamespace(label=str(m.year_started), url=u.facet("tahun", m.year_started)) if m.year_started else None,
            sdgs=[SimpleNamespace(label=t.sdg(n), url=u.facet("sdg", n)) for n in sorted(set(m.sdgs))],
            kipp_category=t.value("kipp_category", m.kipp_category) if m.kipp_category else None,
            status=SimpleNamespace(value=slug(m.status), label=t.value("status", m.status), url=u.facet("status", m.status)),
            status_confirmed=SimpleNamespace(
                date=t.date(confirmed.date),
                iso=confirmed.date.isoformat(),
                source=confirmed.source,
                anchor=CITE_TARGET.format(n=confirmed.source),
            )
            if confirmed
            else None,
            profile=m.depth == "profil",
            tags=list(m.tags),
            last_reviewed=t.date(m.last_reviewed),
            last_reviewed_iso=m.last_reviewed.isoformat(),
            awards=awards,
            sources=[
                SimpleNamespace(
                    anchor=CITE_TARGET.format(n=i),
                    url=u.external(s.url),
                    title=s.title,
                    publisher=s.publisher,
                    accessed=t.date(s.accessed),
                )
                for i, s in enumerate(m.sources, 1)
            ],
            contacts=[
                SimpleNamespace(
                    **{**c.model_dump(), "url": u.external(c.url) if c.url else None, "mailto": u.mailto(c.email) if c.email else None}
                )
                for c in m.contacts
            ],
            **{key: namespace(value) for key, value in related.items()},
        )

    # -- browse pages --------------------------------------------------------------------

    def listing(self, path: str, sections: list[Section], n: int, page: Callable[..., list[Page]]) -> list[PageGroup]:
        """A list of cards in sections, cut into pages of ``CARDS_PER_PAGE``, one group a page.

        ``sections``: (name, case ids) in the order shown, each section's cases in title order; a section cut
        across pages keeps its heading on each. ``page(number, total, parts)`` builds one page, ``parts`` being
        its (section index, case ids). A page's inputs are its cases, its place in the list and the sections'
        sizes, so a changed case rebuilds the page it is on, not the whole list."""
        g = self.g
        layout = g.lists.get(path)
        if layout is None:  # the same in both languages
            rank = self._rank.__getitem__
            flat = [(i, cid) for i, (_, ids) in enumerate(sections) for cid in sorted(ids, key=rank)]
            layout = g.lists[path] = [
                (number, total, [(i, [cid for _, cid in part]) for i, part in itertools.groupby(chunk, key=lambda pair: pair[0])])
                for number, total, chunk in _chunks(flat, CARDS_PER_PAGE)
            ]
        out = []
        for number, total, parts in layout:
            shape = [f"{sections[i][0]}\x1e{len(sections[i][1])}" for i, _ in parts]
            ids = [cid for _, part in parts for cid in part]
            out.append(
                PageGroup(self.inputs("list", path, str(number), str(total), str(n), *shape, ids=ids), partial(page, number, total, parts))
            )
        return out

    def list_page(
        self,
        path: str,
        number: int,
        total: int,
        parts: list[tuple[int, list[str]]],
        groups: list[dict],
        *,
        heading: str,
        crumbs,
        n: int,
        intro=None,
        subpages=None,
        subpages_heading=None,
    ) -> list[Page]:
        """Page ``number`` of a list; ``groups``: heading, url and case ids of each section. Its key holds its cards'
        digests; its cards are made only if it is rendered."""
        page_path = self.urls.paged_path(path, number)
        ctx = {
            **_frame(page_path, self.paged_title(heading, number), "browse", crumbs),
            "heading": heading,
            "intro": intro,
            "n": n,
            "subpages": (subpages or []) if number == 1 else [],
            "subpages_heading": subpages_heading,
            "pager": self.pager(path, number, total),
        }
        shown = [(groups[i], ids) for i, ids in parts]
        key = {**ctx, "groups": self._card_groups(shown, self.card_digests)}
        return [Page(page_path, "listing.html", key, partial(self._listing_context, ctx, shown))]

    def _listing_context(self, ctx: dict, shown: list[tuple[dict, list[str]]], html: dict[str, str]) -> dict:
        return {**ctx, "groups": self._card_groups(shown, lambda ids: [self.card(i) for i in ids])}

    @staticmethod
    def _card_groups(shown: list[tuple[dict, list[str]]], cards: Callable[[list[str]], Any]) -> list[dict]:
        return [{"heading": group["heading"], "url": group["url"], "n": len(group["ids"]), "cards": cards(ids)} for group, ids in shown]

    def card_digests(self, ids: list[str]) -> str:
        """The cards of these cases in a page key, as :func:`_digests` gives them, from the page cache where it has them."""
        known, stamps = self.known_cards, self.g.stamps
        out = []
        for cid in ids:
            digest = known.get(stamps[cid])
            if digest is None:
                digest = known[stamps[cid]] = self.card(cid).digest
            out.append(digest)
        return " ".join(out)

    def facet_index(self, path: str, facet: str, items: list[dict]) -> Page:
        t = self.t
        title = t(f"facet.{facet}.index")
        ctx = {"heading": title, "intro": t(f"facet.{facet}.intro"), "items": items}
        return self.page(
            path,
            "facet_index.html",
            title,
            ctx,
            nav="browse",
            crumbs=self.crumbs((t("browse.title"), self.urls.page("jelajahi/")), (title, None)),
        )

    def province_pages(self) -> list[PageGroup]:
        """The index of provinces, then each province's list and its kabupaten/kota's lists."""
        g, t, u = self.g, self.t, self.urls
        order = sorted(g.provinces, key=lambda p: (p is None, p or ""))
        items = lambda: [{"label": t.region(p), "url": u.province(p), "n": len(g.provinces[p])} for p in order]  # noqa: E731
        out = [PageGroup(None, lambda: [self.facet_index("provinsi/", "province", items())])]
        regencies: dict[str | None, list[tuple[str, list[str]]]] = {}
        for (p, r), rids in sorted(g.regencies.items(), key=lambda kv: kv[0][1]):
            regencies.setdefault(p, []).append((r, rids))
        for province in order:
            ids, regs = g.provinces[province], regencies.get(province, [])
            top = [i for i in ids if not g.by_id[i].meta.regency]
            sections = ([("", top)] if top else []) + regs
            subpages = "\x1e".join(f"{r} {len(rids)}" for r, rids in regs)  # page 1 lists them all: in every page's inputs
            page = partial(self.province_page, province, sections, bool(top))
            out += self.listing(u.province_path(province), [(f"{name}\x1f{subpages}", ids) for name, ids in sections], len(ids), page)
            for regency, rids in regs:
                page = partial(self.regency_page, province, regency, rids)
                out += self.listing(u.regency_path(province, regency), [("", rids)], len(rids), page)
        return out

    def _province_trail(self) -> list[tuple[str, str | None]]:
        t, u = self.t, self.urls
        return [(t("browse.title"), u.page("jelajahi/")), (t("facet.province.index"), u.page("provinsi/"))]

    def province_page(
        self, province: str | None, sections: list[tuple[str, list[str]]], has_top: bool, number: int, total: int, parts
    ) -> list[Page]:
        t, u = self.t, self.urls
        label = t.region(province)
        regs = sections[1:] if has_top else sections
        groups = [{"heading": r, "url": u.regency(province, r), "ids": rids} for r, rids in regs]
        if has_top:
            groups.insert(0, {"heading": t("facet.province.provincial_level") if province else None, "url": None, "ids": sections[0][1]})
        return self.list_page(
            u.province_path(province),
            number,
            total,
            parts,
            groups,
            heading=t("facet.province.page", value=label),
            crumbs=self.crumbs(*self._province_trail(), (label, None)),
            n=len(self.g.provinces[province]),
            subpages=[{"label": r, "url": u.regency(province, r), "n": len(rids)} for r, rids in regs],
            subpages_heading=t("facet.province.regencies"),
        )

    def regency_page(self, province: str | None, regency: str, ids: list[str], number: int, total: int, parts) -> list[Page]:
        t, u = self.t, self.urls
        label = t.region(province)
        return self.list_page(
            u.regency_path(province, regency),
            number,
            total,
            parts,
            [{"heading": None, "url": None, "ids": ids}],
            heading=t("facet.province.page", value=regency),
            crumbs=self.crumbs(*self._province_trail(), (label, u.province(province)), (regency, None)),
            n=len(ids),
        )

    def facet_pages(self) -> list[PageGroup]:
        """Per facet, its index, then each value's list."""
        g, t, u = self.g, self.t, self.urls
        year_order = sorted(g.years, key=lambda y: (y is None, -(y or 0)))
        facets: list[tuple[str, str, dict, list, Callable[[Any], str], Callable[[Any], Any]]] = [
            ("urusan", "urusan", g.urusan, sorted(g.urusan, key=lambda k: t.urusan(k).casefold()), t.urusan, lambda k: k),
            ("sdg", "sdg", g.sdgs, sorted(g.sdgs), t.sdg, lambda n: n),
            ("year", "tahun", g.years, year_order, lambda y: str(y) if y else t("values.no_year"), lambda y: y or NO_YEAR),
            ("award", "penghargaan", g.awards, sorted(g.awards, key=str.casefold), lambda a: a, lambda a: a),
            ("tahapan", "tahapan", g.tahapan, [k for k in choices.TAHAPAN if k in g.tahapan], lambda k: t.value("tahapan", k), lambda k: k),
            ("status", "status", g.status, [k for k in choices.STATUS if k in g.status], lambda k: t.value("status", k), lambda k: k),
        ]
        out = []
        for facet, segment, index, order, label, path_value in facets:
            items = [{"label": label(k), "url": u.facet(segment, path_value(k)), "n": len(index[k])} for k in order]
            out.append(PageGroup(None, partial(lambda *a: [self.facet_index(*a)], u.facet_path(segment), facet, items)))
            for k in order:
                ids = index[k]
                sections = self.award_sections(k, ids) if facet == "award" else [("", ids)]
                page = partial(self.facet_page, facet, segment, k, label, path_value, sections, len(ids))
                out += self.listing(u.facet_path(segment, path_value(k)), sections, len(ids), page)
        return out

    def facet_page(
        self, facet: str, segment: str, k: Any, label, path_value, sections: list[Section], n: int, number: int, total: int, parts
    ):
        t, u = self.t, self.urls
        crumbs = self.crumbs((t("browse.title"), u.page("jelajahi/")), (t(f"facet.{facet}.index"), u.facet(segment)), (label(k), None))
        award = facet == "award"
        groups = [{"heading": name if award else None, "url": None, "ids": ids} for name, ids in sections]
        return self.list_page(
            u.facet_path(segment, path_value(k)),
            number,
            total,
            parts,
            groups,
            heading=t(f"facet.{facet}.page", value=label(k)),
            crumbs=crumbs,
            n=n,
            intro=vocab.awards()[k].get("full") if award else None,
        )

    def award_sections(self, award: str, ids: list[str]) -> list[Section]:
        """Newest year first, then tier as announced; the same in both languages."""
        memo = self.g.sections
        name = ("award", award)
        if name not in memo:
            keys: dict[tuple[int, str], dict[str, None]] = {}
            for cid in ids:
                for a in self.g.by_id[cid].meta.awards:
                    if a.name == award:
                        keys.setdefault((a.year, a.tier), {})[cid] = None
            memo[name] = [
                (f"{year} · {tier}", list(cids)) for (year, tier), cids in sorted(keys.items(), key=lambda kv: (-kv[0][0], kv[0][1]))
            ]
        return memo[name]

    # -- collections ------------------------------------------------------------------------

    def collection_title(self, cid: str) -> str:
        col = self.g.collections[cid]
        return (col.title_en or col.title) if self.lang == "en" else col.title

    def collection_pages(self) -> list[Page]:
        g, t, u = self.g, self.t, self.urls
        title = t("collections.title")
        items = []
        pages = []
        for cid, col in g.collections.items():
            present = [i for i in col.cases if i in g.by_id]
            description = (col.description_en or col.description) if self.lang == "en" else col.description
            items.append(
                {
                    "title": self.collection_title(cid),
                    "url": u.collection(cid),
                    "description": description,
                    "audience": col.audience,
                    "n": len(present),
                }
            )
            ctx = {
                "c": {
                    "title": self.collection_title(cid),
                    "description": description,
                    "audience": col.audience,
                    "cards": [self.card(i) for i in present],
                    "downloads": [
                        {"doc": doc, "files": [{"kind": name.rsplit(".", 1)[-1], "url": u.pack_file(cid, name)} for name in names]}
                        for doc, names in self.info.downloads.get(cid, [])
                    ],
                }
            }
            crumbs = self.crumbs((title, u.facet("koleksi")), (self.collection_title(cid), None))
            pages.append(
                self.page(u.collection_path(cid), "collection.html", self.collection_title(cid), ctx, nav="collections", crumbs=crumbs)
            )
        pages.insert(
            0, self.page("koleksi/", "collections.html", title, {"items": items}, nav="collections", crumbs=self.crumbs((title, None)))
        )
        return pages


def _frame(path: str, title: str | None, nav: str, crumbs) -> dict:
    """What every page's template reads besides its own data: where it is, its title, menu entry and breadcrumbs."""
    return {"page_path": path, "page_title": title, "nav": nav, "breadcrumbs": crumbs or [], "description": None}


def _inputs_digest(kind: str, parts: tuple[str, ...], ids: list[str], stamps: dict[str, str]) -> str:
    sizes = f"{CARDS_PER_PAGE} {ROWS_PER_PAGE} {PAGER_SPREAD} {EXCERPT_WORDS}"
    text = "\x1f".join((kind, sizes, *parts, str(len(ids)), *(stamps[i] for i in ids)))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=20).hexdigest()


def _digests(cards: list[Card]) -> str:
    """A list of cards in a page key: their digests in one string (one value to hash, not a callback per card)."""
    return " ".join(card.digest for card in cards)


def _chunks(items: list, size: int) -> list[tuple[int, int, list]]:
    """(page number, number of pages, items) for each page; an empty list is one empty page."""
    parts = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
    return [(k, len(parts), part) for k, part in enumerate(parts, 1)]
