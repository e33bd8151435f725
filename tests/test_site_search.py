"""The search page in a real browser (headless Chromium), on a small corpus written for it.

Static path (Pagefind in the browser): a two-word query finds the case that has
both words; a query with a nonsense word still answers and says that only some
words matched; a glossary synonym finds a case that uses only the other form;
a filter narrows the results; a typo is corrected and said so; a query that
finds nothing says what to do; places and awards in the words become filters,
read as `jipp-kb search` reads them. Then the same page against a stand-in for
`jipp-kb serve`'s API, and a phone-sized screenshot.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from site_support import BASE, make_search_corpus, serve
from test_site_browser import SHOTS, browser, full_page_shot, wait_for  # noqa: F401 (browser is a fixture)

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.render import urls as urls_module
from jipp_kb.render.site import build_site
from jipp_kb.understand import understand

QUERIES = Path(__file__).parent / "data" / "queries.yml"


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("search")
    corpus = load_corpus(make_search_corpus(tmp))
    assert not corpus.problems, corpus.problems
    build_site(corpus, Config(base_url=BASE, root=tmp), {}, output=tmp / "site", cache_dir=tmp / "cache", search=True)
    return tmp / "site"


def search(driver, home: str, q: str, lang: str = "") -> list:
    """Open the search page for ``q`` and wait until it has answered; the result items."""
    driver.get(f"{home}{lang}cari/?q={quote(q)}")
    return answered(driver, q)


def answered(driver, q: str) -> list:
    wait_for(
        driver,
        lambda d: d.execute_script(
            "var a = document.getElementById('search-app');"
            "return a.getAttribute('data-state') === 'done' && a.getAttribute('data-query') === arguments[0];",
            q,
        ),
    )
    return driver.find_elements(By.CSS_SELECTOR, "#search-results .search-result")


def ids(items) -> list[str]:
    return [i.find_element(By.CSS_SELECTOR, ".search-result-title a").get_attribute("href").rstrip("/").rsplit("/", 1)[-1] for i in items]


def visible_text(driver, selector: str) -> str:
    found = [e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]
    return " ".join(e.text for e in found)


def test_static_search_is_forgiving_and_helps(small_site, browser):  # noqa: F811
    with serve(small_site) as home:
        # Both words, in one case: it comes first, with its region, start year and award.
        items = search(browser, home, "antrean puskesmas")
        assert ids(items)[0] == "antre-sehat-uji"
        meta = items[0].find_element(By.CSS_SELECTOR, ".card-meta").text
        assert "Kabupaten Banyumas, Jawa Tengah" in meta and "mulai 2019" in meta and "KIPP Top 45 (2020)" in meta
        assert items[0].find_element(By.CSS_SELECTOR, ".card-excerpt").text
        assert not browser.find_elements(By.CSS_SELECTOR, ".card-excerpt *:not(mark)"), "an excerpt keeps only <mark>"
        assert "skor" not in browser.find_element(By.ID, "search-results").text.lower()

        # One word matches, the other matches nothing: results anyway, and a note.
        items = search(browser, home, "puskesmas xyzzyq")
        assert "antre-sehat-uji" in ids(items)
        note = visible_text(browser, "#search-notes")
        assert "Hasil yang cocok dengan sebagian kata: puskesmas" in note and "xyzzyq" in note

        # Each word in some case, none with both: the note says which word the top result lacks.
        items = search(browser, home, "antrean sampah")
        note = visible_text(browser, "#search-notes")
        assert ids(items)[0] == "bank-sampah-uji" and "Hasil teratas memuat sampah, tetapi tidak antrean." in note

        # Glossary: "keluhan" finds the profile that only says "pengaduan", labelled as a profile.
        items = search(browser, home, "keluhan warga")
        assert ids(items)[0] == "lapor-bupati-uji"
        assert "Profil singkat" in items[0].text
        assert "pengaduan" in visible_text(browser, ".search-also")

        # "antrean" also finds the case that writes "antrian"; the province filter narrows to it.
        items = search(browser, home, "antrean")
        assert {"antre-sehat-uji", "loket-capil-uji"} <= set(ids(items))
        Select(browser.find_element(By.ID, "filter-province")).select_by_value("Jawa Timur")
        wait_for(browser, lambda d: ids(answered(d, "antrean")) == ["loket-capil-uji"])
        assert "province=Jawa+Timur" in browser.current_url
        regencies = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "filter-regency")).options if o.is_enabled()]
        assert regencies == ["", "Kabupaten Banyuwangi"], "only the chosen province's kabupaten/kota are offered"

        # A typo is corrected against the glossary, searched, and said so.
        items = search(browser, home, "pengaduen")
        assert ids(items)[0] == "lapor-bupati-uji"
        assert "Maksud Anda: pengaduan" in visible_text(browser, ".search-suggestion")

        # A word is not found inside longer words: "jawa" finds the two cases in Jawa, not the one whose
        # dinas "menjawab" (Pagefind also matches the words a searched word begins).
        assert set(ids(search(browser, home, "jawa"))) == {"antre-sehat-uji", "loket-capil-uji"}
        # A word cut short is completed, as `jipp-kb search` does: "menabung", not "meniru" two edits away.
        assert ids(search(browser, home, "menabu")) == ["bank-sampah-uji"]
        assert "Maksud Anda: menabung" in visible_text(browser, ".search-suggestion")

        # Only function words: nothing to search, and no "did you mean" (not "uang" for "yang").
        assert search(browser, home, "yang dan di") == [] and not visible_text(browser, ".search-suggestion")
        assert search(browser, home, "the of and", lang="en/") == []

        # Nothing matches: what to do, with a link to browse by urusan.
        assert search(browser, home, "qwzxv plorkt") == []
        help_box = browser.find_element(By.ID, "search-help")
        assert help_box.is_displayed() and "lebih sedikit kata" in help_box.text
        assert help_box.find_element(By.CSS_SELECTOR, "a").get_attribute("href") == f"{home}urusan/"

        # English page: English labels.
        items = search(browser, home, "keluhan", lang="en/")
        assert ids(items)[0] == "lapor-bupati-uji" and "Short profile" in items[0].text
        # An English word one letter from an Indonesian one ("during", "daring") is a word there, not a typo.
        assert ids(search(browser, home, "patients during the day", lang="en/")) == ["antre-sehat-uji"]
        assert not visible_text(browser, ".search-suggestion")
        # There a word cut short completes to an English word first: "registered", not "registrasi".
        assert ids(search(browser, home, "regist", lang="en/")) == ["antre-sehat-uji"]
        assert "Did you mean: registered" in visible_text(browser, ".search-suggestion")

        # A phone: filters stack, nothing wider than the screen.
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            for name, q in (("12-phone-search-results", "antrean puskesmas"), ("13-phone-search-none", "qwzxv plorkt")):
                search(browser, home, q)
                overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{q}: page is {overflow}px wider than the phone"
                full_page_shot(browser, name)
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


UNDERSTOOD = [
    "inovasi kesehatan di sulawesi selatan",
    "inovasi adminduk jawa timur",
    "stunting Kab. Gowa",
    "kab gowa",
    "Kota Bone",
    "kota malang dan luwu utara",
    "banyuwangi",
    "pendidikan di batu",
    "KIPP Top 45",
    "pemenang top 99 bidang pendidikan",
    "UNPSA winner",
    "inovasi yang sudah direplikasi daerah lain",
    "health services replicated in other regions",
    "Prov. Sulsel dan jatim",
    "media sosial desa",
    "pasuruan",
    "antre, puskesmas... (jateng)",
    "maternal health in South Sulawesi",
    "family planning in Jogja",
    '"kematian ibu" sulsel',
    'province:"Jawa Timur" antrean',
    "e-KTP di jawa timur",
    '"kota malang" kesehatan',
    "anak-anak (jateng)",
    "",
]


def test_static_search_reads_a_query_as_the_cli_does(small_site, browser):  # noqa: F811
    """The page's query understanding (search.js) against jipp_kb/understand.py: the same filters, preferences and words."""
    queries = UNDERSTOOD + [q["query"] for q in yaml.safe_load(QUERIES.read_text(encoding="utf-8"))]
    with serve(small_site) as home:
        browser.get(f"{home}cari/")
        page = browser.execute_async_script(
            "var done = arguments[1], qs = arguments[0];"
            "window.jippKbSearch.ready.then(function () { done(qs.map(window.jippKbSearch.understand)); });",
            queries,
        )
    for q, js in zip(queries, page):
        py = understand(q)
        assert (js["text"], js["filters"], js["applied"]) == (py.text, py.filters, py.applied), q
        preferences = (js["preferUrusan"], js["preferRegency"], js["preferReplicated"])
        assert preferences == (py.prefer_urusan, py.prefer_regency, py.prefer_replicated), q


def rank_in_page(site: Path, browser, *queries: tuple[list, list]) -> list[dict]:  # noqa: F811
    """The page's own ``rank()`` on made-up Pagefind results. Each query is (concepts, results), with
    results[concept][form] a list of [case id, score, word locations]; for each, the ranked ids and the
    words the page says no case has."""
    with serve(site) as home:
        browser.get(f"{home}cari/")
        return browser.execute_async_script(
            "var queries = arguments[0], done = arguments[1]; window.jippKbSearch.ready.then(function () {"
            "  done(queries.map(function (q) {"
            "    var perConcept = q[1].map(function (forms) { return forms.map(function (rows) {"
            "      return { results: rows.map(function (r) { return { id: r[0], score: r[1], words: r[2] || [] }; }) }; }); });"
            "    var out = window.jippKbSearch.rank({ fixes: [], phrases: [], cs: q[0], perConcept: perConcept }, []);"
            "    return { ids: out.items.map(function (i) { return i.pagefind.id; }), missing: out.missing };"
            "  }));"
            "});",
            list(queries),
        )


def test_a_case_found_only_through_another_word_does_not_count(small_site, browser):  # noqa: F811
    """Pagefind also returns the cases with a longer word (antar: antara) or, for a word no case has, a shorter
    one (a glossary form such as "perijinan", a typed "xyzzyq"), scored near 0 at the page's termSimilarity:
    they do not count."""
    glossary_form = (
        [{"label": "perizinan", "forms": ["perizinan", "perijinan"]}, {"label": "cepat", "forms": ["cepat"]}],
        [[[["a", 16.8], ["b", 5.0]], [["c", 0.002], ["d", 0.001]]], [[["c", 9.0], ["e", 0.2]]]],
    )
    unknown_word = (
        [{"label": "puskesmas", "forms": ["puskesmas"]}, {"label": "xyzzyq", "forms": ["xyzzyq"], "unknown": True}],
        [[[["a", 11.0]]], [[["f", 0.0001]]]],
    )
    ranked, unknown = rank_in_page(small_site, browser, glossary_form, unknown_word)
    # c matches "cepat" only (not "perizinan" through its near-0 form), so it ties with a and loses on
    # Pagefind's score; d matched only through that form and e scored under 5 % of "cepat"'s best: dropped.
    assert ranked["ids"] == ["a", "c", "b"]
    # A word no case has ("xyzzyq"), for which Pagefind returned a case with a shorter word at ~0: no match.
    assert unknown == {"ids": ["a"], "missing": ["xyzzyq"]}


def test_a_glossary_form_of_several_words_counts_only_where_they_stand_together(small_site, browser):  # noqa: F811
    """Pagefind finds "pusat kesehatan masyarakat" in any case that has the three words anywhere (a waste
    campaign's "pusat kota", "kesehatan" and "masyarakat"); such a case does not match "puskesmas"."""
    forms = [{"label": "puskesmas", "forms": ["puskesmas", "pusat kesehatan masyarakat"]}]
    results = [[["a", 9.0, [4]]], [["together", 6.0, [30, 12, 13, 14]], ["apart", 5.0, [3, 40, 90]], ["one-between", 4.0, [7, 9, 10]]]]
    (ranked,) = rank_in_page(small_site, browser, (forms, [results]))
    assert ranked["ids"] == ["a", "together", "one-between"]


def test_a_result_excerpt_comes_from_the_text_not_the_facts_panel(small_site, browser):  # noqa: F811
    """Pagefind's own excerpt is the densest window of matches, nearly always the facts panel and its curated
    tags; the card shows the summary or the text around the matched words, or the summary's start."""
    words = "Antre Sehat . Ringkasan tentang layanan pasien . Jawa Tengah antrean , puskesmas , kesehatan".split()
    words += "Latar . Pasien mengeluh antrean panjang di puskesmas setiap pagi dan pulang tanpa obat".split()
    page = {"content": " ".join(words), "anchors": [{"id": "case-summary", "location": 3}, {"id": "case-facts", "location": 8}]}
    page["anchors"].append({"id": "latar", "location": words.index("Latar")})
    with serve(small_site) as home:
        browser.get(f"{home}cari/")
        excerpts = browser.execute_async_script(
            "var done = arguments[2]; window.jippKbSearch.ready.then(function () {"
            "  var e = window.jippKbSearch.excerpt;"
            "  done([e(arguments[0], arguments[1]), e(arguments[0], [0, 10, 12])]);"
            "}.bind(null, arguments[0], arguments[1]));",
            page,
            [10, 12, words.index("antrean", 15), words.index("puskesmas", 15)],
        )
        # On a built case page: "pemerintah" is only in the facts panel (the agency), so the card shows the summary.
        items = search(browser, home, "pemerintah")
        card = items[ids(items).index("antre-sehat-uji")].find_element(By.CSS_SELECTOR, ".card-excerpt")
        assert card.text == "Pasien mengambil nomor antrean puskesmas dari rumah lewat pesan singkat, sehingga ruang tunggu tidak penuh."
    # The matches in the text, marked; none of the facts panel's words.
    assert excerpts[0] == "Latar . Pasien mengeluh <mark>antrean</mark> panjang di <mark>puskesmas</mark> setiap pagi dan pulang tanpa obat"
    # Matched only in the title and the facts: the summary, which ends where the facts begin.
    assert excerpts[1] == "Ringkasan tentang layanan pasien ."


def test_static_search_applies_places_and_awards_from_the_words(small_site, browser):  # noqa: F811
    with serve(small_site) as home:
        # A province in the words becomes a filter, shown as a chip; removing it searches the words as written.
        assert ids(search(browser, home, "antrean di jawa timur")) == ["loket-capil-uji"]
        chip = browser.find_element(By.CSS_SELECTOR, "#search-notes .chip")
        assert chip.text.startswith("Jawa Timur")
        chip.click()
        wait_for(browser, lambda d: "antre-sehat-uji" in ids(answered(d, "antrean di jawa timur")))
        # A place in a phone keyboard's quotation marks is a phrase, as `jipp-kb search` reads it: no filter.
        search(browser, home, "antrean “jawa timur”")
        assert not browser.find_elements(By.CSS_SELECTOR, "#search-notes .chip")
        # An award with its tier, as `jipp-kb search` reads it.
        assert ids(search(browser, home, "antrean KIPP Top 45")) == ["antre-sehat-uji"]
        # A filter from the words that leaves nothing is dropped, and the page says so.
        assert ids(search(browser, home, "pengaduan di jawa tengah")) == ["lapor-bupati-uji"]
        assert "filter itu tidak dipakai" in visible_text(browser, "#search-notes")


def test_search_spans_the_shards_of_a_large_library(tmp_path, browser, monkeypatch):  # noqa: F811
    """Past SEARCH_SHARD_PAGES case pages a language is indexed in shards: the page searches them as one."""
    monkeypatch.setattr(urls_module, "SEARCH_SHARD_PAGES", 1)  # every case alone in its bundle
    corpus = load_corpus(make_search_corpus(tmp_path))
    build_site(corpus, Config(base_url=BASE, root=tmp_path), {}, output=tmp_path / "site", cache_dir=tmp_path / "cache", search=True)
    assert len(list((tmp_path / "site").glob("pagefind*"))) == len(list((tmp_path / "site" / "en").glob("pagefind*"))) == 4
    with serve(tmp_path / "site") as home:
        items = search(browser, home, "antrean puskesmas")  # "antrean" is in two bundles, "puskesmas" in one
        assert ids(items)[0] == "antre-sehat-uji" and "loket-capil-uji" in ids(items)
        assert len(ids(items)) == len(set(ids(items))) and items[0].find_element(By.CSS_SELECTOR, ".card-excerpt").text
        Select(browser.find_element(By.ID, "filter-province")).select_by_value("Jawa Timur")
        wait_for(browser, lambda d: ids(answered(d, "antrean puskesmas")) == ["loket-capil-uji"])
        items = search(browser, home, "keluhan", lang="en/")
        assert ids(items)[0] == "lapor-bupati-uji" and "Short profile" in items[0].text


def test_api_results_in_the_same_interface_and_fallback(small_site, browser):  # noqa: F811
    asked: list[dict] = []
    failing = {"on": False}

    def api(query: str):
        params = parse_qs(query)
        asked.append(params)
        q = params.get("q", [""])[0]
        if not q:
            return 400, {"error": "missing query parameter 'q'"}
        if failing["on"]:
            return 500, {"error": "boom"}
        if params.get("province", [""])[0] not in ("", "Jawa Timur", "Jawa Tengah"):
            return 400, {"error": "unknown province"}
        inferred = params.get("infer") != ["0"]
        results = [
            {
                "id": "antre-sehat-uji",
                "title": "Antre <b>Sehat</b>",
                "region": "Kabupaten Banyumas, Jawa Tengah",
                "year": 2019,
                "awards": ["KIPP Top 45"],
                "depth": "studi kasus",
                "url": "javascript:alert(1)",
                "snippet": "nomor <mark>antrean</mark> <img src=x onerror=\"document.title='pwned'\">puskesmas",
            },
            {
                "id": "lapor-bupati-uji",
                "title": "Lapor Bupati",
                "region": "Kabupaten Gowa, Sulawesi Selatan",
                "year": 2016,
                "awards": [],
                "depth": "profil",
                "snippet": "<script>document.title='pwned'</script>aman",
            },
            {"id": "../../etc/passwd", "title": "bukan kasus", "region": "", "snippet": ""},
        ]
        applied = [{"filter": "province", "value": "Jawa Tengah", "words": "di jawa tengah"}] if inferred else []
        return 200, {"query": q, "results": results, "applied": applied, "suggestion": None, "hidden": 3, "relaxed": False, "total": 2}

    with serve(small_site, api=api) as home:
        items = search(browser, home, "antrean di jawa tengah")
        assert ids(items) == ["antre-sehat-uji", "lapor-bupati-uji"]  # the id that is not a case id is dropped
        assert items[0].find_element(By.TAG_NAME, "mark").text == "antrean"
        assert "<b>Sehat</b>" in items[0].text and "KIPP Top 45" in items[0].text and "mulai 2019" in items[0].text
        assert "Profil singkat" in items[1].text
        assert not browser.find_elements(By.CSS_SELECTOR, "#search-results img, #search-results script, #search-results b")
        assert browser.title != "pwned"
        assert "3 kasus lain" in browser.find_element(By.ID, "search-status").text
        # The filter read from the words is a chip; removing it asks again without reading filters.
        chip = browser.find_element(By.CSS_SELECTOR, "#search-notes .chip")
        assert "Jawa Tengah" in chip.text
        full_page_shot(browser, "14-search-api")
        chip.click()
        wait_for(browser, lambda d: any(p.get("infer") == ["0"] for p in asked))
        answered(browser, "antrean di jawa tengah")
        assert not browser.find_elements(By.CSS_SELECTOR, "#search-notes .chip")
        # Filters go to the API as query parameters.
        Select(browser.find_element(By.ID, "filter-status")).select_by_value("berjalan")
        wait_for(browser, lambda d: any(p.get("status") == ["berjalan"] for p in asked))
        # The server fails: Pagefind answers instead.
        failing["on"] = True
        items = search(browser, home, "antrean puskesmas")
        assert ids(items)[0] == "antre-sehat-uji" and "KIPP Top 45 (2020)" in items[0].text


def test_eval_reads_the_site_ranking_from_the_page(small_site):
    """`jipp-kb eval --engine site` takes its ranking from the result links of the built page."""
    from jipp_kb.evaluate import Query, score, site_rankings

    queries = [
        Query("a", "antrean puskesmas", "indonesian", "tune", {"antre-sehat-uji": 3}),
        Query("b", "keluhan", "english", "test", {"lapor-bupati-uji": 3}),  # an English query runs on /en/cari/
    ]
    rankings = site_rankings(small_site, queries, BASE)
    assert rankings["a"][0] == "antre-sehat-uji" and rankings["b"][0] == "lapor-bupati-uji"
    assert score(queries, rankings)["MRR"] == 1.0
