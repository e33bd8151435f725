"""Long lists cut into pages, and the sitemap index past 50,000 URLs — on the fixture corpus, with small limits."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from site_support import BASE, html_files, make_corpus, parse, resolve, similar_for

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.render import pages, sitemap
from jipp_kb.render.site import build_site

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CARDS, ROWS, URLS = 3, 5, 40


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    """The fixture corpus built with 3 cards a list page, 5 rows a table page and 40 URLs a sitemap."""
    tmp = tmp_path_factory.mktemp("paged")
    root = make_corpus(tmp)
    corpus = load_corpus(root)
    config = Config(base_url=BASE, corpus=Path("corpus"), root=tmp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pages, "CARDS_PER_PAGE", CARDS)
        mp.setattr(pages, "ROWS_PER_PAGE", ROWS)
        mp.setattr(sitemap, "MAX_URLS", URLS)
        result = build_site(corpus, config, similar_for(list(corpus.cases)), output=tmp / "out", cache_dir=tmp / "cache", search=False)
    return SimpleNamespace(out=tmp / "out", result=result, corpus=corpus)


def _page_chain(site, first: Path) -> list[Path]:
    """Follow rel=next from ``first``; checks that each page's rel=prev points back."""
    chain = [first]
    while True:
        page = parse(chain[-1])
        heads = {a.get("rel"): a.get("href") for tag, a in page.tags if tag == "link" and a.get("rel") in ("prev", "next")}
        if len(chain) > 1:
            assert resolve(site.out, BASE, heads["prev"]) == chain[-2], chain[-1]
        else:
            assert "prev" not in heads
        if "next" not in heads:
            return chain
        nxt = resolve(site.out, BASE, heads["next"])
        assert nxt is not None and nxt.is_file(), heads["next"]
        assert nxt.relative_to(site.out).as_posix().endswith(f"halaman/{len(chain) + 1}/index.html")
        chain.append(nxt)


def _case_links(path: Path, pattern: str) -> list[str]:
    return re.findall(pattern, path.read_text(encoding="utf-8"))


def test_every_list_is_cut_into_linked_pages_that_hold_each_case_once(paged):
    firsts = [
        p
        for p in html_files(paged.out)
        if "halaman" not in p.as_posix() and 'class="pager"' in (text := p.read_text()) and "case-table" not in text
    ]
    assert len(firsts) > 10, "with 3 cards a page, many lists should have more than one page"
    status = paged.out / "status" / "berjalan" / "index.html"
    assert status in firsts
    for first in firsts:
        chain = _page_chain(paged, first)
        assert len(chain) >= 2
        texts = [p.read_text(encoding="utf-8") for p in chain]
        total = re.search(r'class="count-line">(\d+)', texts[0])
        assert total, first
        assert all(f'class="count-line">{total[1]} ' in t for t in texts), "every page says how many cases the whole list has"
        if "/penghargaan/" in first.as_posix():
            continue  # an award list groups by year and tier: a case awarded twice is listed twice
        cards = [cid for p in chain for cid in _case_links(p, r'<li class="card">\s*<h3 class="card-title"><a href="[^"]*/kasus/([^/"]+)/')]
        assert len(cards) == len(set(cards)) == int(total[1]), first
        assert all(len(_case_links(p, r'<li class="card')) <= CARDS for p in chain)
        status = "Page {n} of {n}" if "/en/" in first.as_posix() else "Halaman {n} dari {n}"
        assert status.format(n=len(chain)) in texts[-1]


def test_the_table_of_all_cases_is_paged_in_both_languages(paged):
    for prefix in ("", "en/"):
        chain = _page_chain(paged, paged.out / prefix / "kasus" / "index.html")
        rows = [cid for p in chain for cid in _case_links(p, r'<tr><td><a href="[^"]*/kasus/([^/"]+)/"')]
        assert sorted(rows) == sorted(paged.corpus.cases)
        assert len(chain) == -(-len(paged.corpus.cases) // ROWS)
        titles = [re.search(r"<title>(.*?)</title>", p.read_text(encoding="utf-8"))[1] for p in chain]
        assert len(set(titles)) == len(titles), "no two pages of a list share a title"


def test_the_pager_marks_the_current_page_and_skips_far_ones(paged):
    view = pages.Views.__new__(pages.Views)
    view.urls = SimpleNamespace(paged_path=lambda path, k: path if k == 1 else f"{path}halaman/{k}/", page=lambda p: "/" + p)
    view.t = lambda key, **v: f"{v['n']}/{v['total']}"
    p = view.pager("kasus/", 7, 20)
    numbers = [it["n"] for it in p["items"]]
    assert numbers == [1, None, 5, 6, 7, 8, 9, None, 20]
    assert [it["n"] for it in p["items"] if it["current"]] == [7]
    assert (p["prev"], p["next"]) == ("/kasus/halaman/6/", "/kasus/halaman/8/")
    assert view.pager("kasus/", 1, 1) is None
    assert view.pager("kasus/", 1, 3)["prev"] is None


def test_past_the_url_limit_the_sitemap_is_an_index_of_parts(paged):
    root = ET.parse(paged.out / "sitemap.xml").getroot()
    assert root.tag == f"{SM}sitemapindex"
    parts = [loc.text for loc in root.iter(f"{SM}loc")]
    assert len(parts) >= 2
    urls = []
    for part in parts:
        path = resolve(paged.out, BASE, part)
        assert path is not None and re.fullmatch(r"sitemap-\d+\.xml", path.name)
        found = [loc.text for loc in ET.parse(path).getroot().iter(f"{SM}loc")]
        assert 0 < len(found) <= URLS
        urls += found
    pages_ = [p for p in html_files(paged.out) if p.name != "404.html"]
    assert len(urls) == len(set(urls)) == len(pages_)
    assert {resolve(paged.out, BASE, u) for u in urls} == set(pages_)


def test_the_sitemap_parts_are_kept_and_dropped_with_the_site(paged, tmp_path):
    """A rebuild with nothing changed keeps every part; under the limit the parts go and sitemap.xml lists the URLs again."""
    corpus = paged.corpus
    config = Config(base_url=BASE, corpus=Path("corpus"), root=paged.out.parent)
    sim = similar_for(list(corpus.cases))
    cache = paged.out.parent / "cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pages, "CARDS_PER_PAGE", CARDS)
        mp.setattr(pages, "ROWS_PER_PAGE", ROWS)
        mp.setattr(sitemap, "MAX_URLS", URLS)
        again = build_site(corpus, config, sim, output=paged.out, cache_dir=cache, search=False)
        assert again.rendered == 0 and again.written == 0 and again.removed == 0
        assert (paged.out / "sitemap-2.xml").is_file()
    build_site(corpus, config, sim, output=paged.out, cache_dir=cache, search=False)
    assert not list(paged.out.glob("sitemap-*.xml"))
    assert ET.parse(paged.out / "sitemap.xml").getroot().tag == f"{SM}urlset"
    assert not list(paged.out.rglob("halaman")), "with the default page sizes the fixture's lists fit on one page"
