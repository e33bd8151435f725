"""Learning packs on demand: search, choose cases, "Buat paket belajar", print (issue 13, item 6).

Static path: the fixture corpus's site with Pagefind and the pack page's fragments, in headless
Chromium: a search, two chosen cases, the pack page assembled from their fragments (each title, the
matrix), a phone-sized screenshot, an unknown id. Served path: ``jipp-kb serve``'s application over
real HTTP, whose /api/pack makes the pack (with the questions across the cases), and its 400s.
Also: fragments are rendered again only for a changed case.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from conftest import FIXTURE_CORPUS
from selenium.webdriver.common.by import By
from site_support import serve
from test_site_browser import SHOTS, browser, full_page_shot, shot, wait_for  # noqa: F401 (browser is a fixture)

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.pack.fragments import MAX_CASES, write_fragments
from jipp_kb.render.site import build_site
from jipp_kb.serve import App, make_server

BASE = "/kb/"


def build(corpus_dir: Path, tmp: Path, config: Config) -> Path:
    corpus = load_corpus(corpus_dir)
    build_site(
        corpus,
        config,
        {},
        output=tmp / "site",
        cache_dir=tmp / "cache",
        search=True,
        fragments=lambda writer: write_fragments(corpus, config, writer),
    )
    return tmp / "site"


@pytest.fixture(scope="module")
def static_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pack-page")
    return build(FIXTURE_CORPUS, tmp, Config(base_url=BASE, root=tmp))


@pytest.fixture(scope="module")
def served(indexed, tmp_path_factory):
    """`jipp-kb serve`'s application on the indexed workspace's corpus and a site built from it."""
    tmp = tmp_path_factory.mktemp("pack-served")
    config = Config(index_dir=indexed / "jipp", base_url=BASE, root=tmp)
    site = build(indexed / "corpus", tmp, config)
    app = App(config, load_corpus(indexed / "corpus"), site)
    httpd = make_server(app, "127.0.0.1", 0)
    threading.Thread(target=httpd.run, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.effective_port}{BASE}"
    httpd.close()


def pack_state(driver) -> str:
    return driver.find_element(By.ID, "pack-app").get_attribute("data-state")


def search_and_choose(driver, home: str, q: str, choose: int) -> list[str]:
    """Search, wait for the results and the pack link, tick the first ``choose`` results; their ids."""
    driver.get(f"{home}cari/?q={q}")
    wait_for(driver, lambda d: d.find_element(By.ID, "search-app").get_attribute("data-state") == "done")
    link = wait_for(
        driver, lambda d: d.find_element(By.ID, "search-pack-link") if d.find_element(By.ID, "search-pack").is_displayed() else None
    )
    boxes = driver.find_elements(By.CSS_SELECTOR, "#search-results input.pack-check")
    assert len(boxes) >= choose + 1, f"too few results for {q!r}"
    top = [b.get_attribute("value") for b in boxes if b.get_attribute("data-profile") is None][:MAX_CASES]
    assert link.get_attribute("href").endswith("paket/?kasus=" + ",".join(top)), "by default the top full case studies"
    for box in boxes[1 : choose + 1]:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
    chosen = [b.get_attribute("value") for b in boxes[1 : choose + 1]]
    assert link.get_attribute("href").endswith("paket/?kasus=" + ",".join(chosen))
    assert str(choose) in link.text
    return chosen


def check_pack(driver, corpus_dir: Path, ids: list[str]) -> None:
    corpus = load_corpus(corpus_dir)
    titles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#pack-cases .case-title")]
    assert titles == [corpus.cases[i].meta.title for i in ids]
    numbers = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#pack-cases .case-no")]
    assert numbers == [f"Kasus {n} dari {len(ids)}" for n in range(1, len(ids) + 1)]
    assert [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#pack-toc li a")] == titles
    tables = driver.find_elements(By.CSS_SELECTOR, "#matriks table.matrix")
    assert len(tables) == 2, "the matrix: profile, then resources and results"
    for table in tables:
        assert [r.text for r in table.find_elements(By.CSS_SELECTOR, "tbody th[scope=row]")] == titles
    header = tables[1].find_element(By.CSS_SELECTOR, "thead").text
    assert "Anggaran" in header and "Hasil utama" in header
    # Each case's own sections and sources, from its handout article.
    for cid in ids:
        art = driver.find_element(By.ID, f"kasus-{cid}")
        assert "Latar Belakang dan Masalah" in art.text and art.find_elements(By.CSS_SELECTOR, ".source-list li")
    assert driver.find_element(By.ID, "pack-print").is_displayed()


def printed(driver, titles: list[str]) -> None:
    """Print to PDF as the browser's dialog would: one case per sheet, the matrix on landscape sheets, no buttons."""
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True})
    data = base64.b64decode(pdf["data"])
    (SHOTS / "18-pack-page-print.pdf").write_bytes(data)
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    texts = [" ".join(page.extract_text().split()) for page in pages]
    starts = [
        next(i for i, text in enumerate(texts) if text.startswith(f"Kasus {n} dari {len(titles)}")) for n in range(1, len(titles) + 1)
    ]
    assert all(" ".join(title.split()) in texts[i] for title, i in zip(titles, starts)), "each case starts a sheet, with its title"
    assert 0 < starts[0] and starts == sorted(set(starts))
    matrix = next(i for i, text in enumerate(texts) if i > starts[-1] and "Matriks perbandingan" in text)
    box = pages[matrix].mediabox
    assert box.width > box.height, "the matrix prints on landscape sheets"
    assert all(box.width < box.height for box in (p.mediabox for p in pages[:matrix])), "the cases on portrait A4"
    assert not any("Cetak atau simpan" in text for text in texts), "the page's buttons are not printed"
    doc = pdfium.PdfDocument(data)
    doc[matrix].render(scale=1).to_pil().save(SHOTS / "18-pack-page-print-matrix.png")


def test_static_pack_page_from_search(static_site, browser):  # noqa: F811
    with serve(static_site, BASE) as home:
        chosen = search_and_choose(browser, home, "kematian+ibu", 2)
        browser.execute_script("window.scrollTo(0, 0)")
        shot(browser, "17-search-pack-choose")
        browser.find_element(By.ID, "search-pack-link").click()
        wait_for(browser, lambda d: "paket/" in d.current_url and pack_state(d) == "done")
        check_pack(browser, FIXTURE_CORPUS, chosen)
        assert not browser.find_elements(By.CSS_SELECTOR, ".pack-served"), "no server: the build's fragments"
        assert not browser.find_elements(By.ID, "pack-cross") or not browser.find_element(By.ID, "pack-cross").is_displayed()
        assert not browser.find_elements(By.CSS_SELECTOR, "#pack-cases script, #pack-cases style, #pack-cases [onerror]")
        printed(browser, [load_corpus(FIXTURE_CORPUS).cases[i].meta.title for i in chosen])

        # An unknown id and a hostile one: a clear message, the known case still shown.
        browser.get(f"{home}paket/?kasus={chosen[0]},tidak-ada-kasus,%3Cimg%20src=x%20onerror=alert(1)%3E")
        wait_for(browser, lambda d: pack_state(d) == "done")
        notes = browser.find_element(By.ID, "pack-notes").text
        assert "Kasus tidak ditemukan: tidak-ada-kasus" in notes and "Bukan id kasus yang sah" in notes
        assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#pack-cases .case-title")] == [
            load_corpus(FIXTURE_CORPUS).cases[chosen[0]].meta.title
        ]
        assert not browser.find_elements(By.CSS_SELECTOR, "#pack-app img")

        # No case at all: what to do, not an empty page.
        browser.get(f"{home}paket/")
        wait_for(browser, lambda d: pack_state(d) == "empty")
        assert "Belum ada kasus yang dipilih" in browser.find_element(By.ID, "pack-notes").text

        # English, and on a phone: nothing wider than the screen; a screenshot to look at.
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            browser.get(f"{home}en/paket/?kasus={','.join(chosen)}")
            wait_for(browser, lambda d: pack_state(d) == "done")
            assert browser.find_element(By.CSS_SELECTOR, "#pack-cases .case-no").text == f"Case 1 of {len(chosen)}"
            assert "Comparison matrix" in browser.find_element(By.ID, "matriks").text
            browser.get(f"{home}paket/?kasus={','.join(chosen)}")
            wait_for(browser, lambda d: pack_state(d) == "done")
            overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"the pack page is {overflow}px wider than the phone"
            full_page_shot(browser, "15-phone-pack-page")
            browser.execute_script("document.getElementById('matriks').scrollIntoView()")
            shot(browser, "16-phone-pack-matrix")
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_served_pack_page_uses_the_api(served, indexed, browser):  # noqa: F811
    chosen = search_and_choose(browser, served, "kematian+ibu", 2)
    browser.find_element(By.ID, "search-pack-link").click()
    wait_for(browser, lambda d: "paket/" in d.current_url and pack_state(d) == "done")
    check_pack(browser, indexed / "corpus", chosen)
    assert browser.find_element(By.CSS_SELECTOR, ".pack-served").is_displayed(), "made by the server"
    cross = browser.find_element(By.ID, "pack-cross")
    assert cross.is_displayed() and "Pertanyaan lintas kasus" in cross.text
    # An unknown id: the server refuses, the page falls back to the fragments and says which case is missing.
    browser.get(f"{served}paket/?kasus={chosen[0]},tidak-ada-kasus")
    wait_for(browser, lambda d: pack_state(d) == "done")
    assert "Kasus tidak ditemukan: tidak-ada-kasus" in browser.find_element(By.ID, "pack-notes").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#pack-cases .case")) == 1


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        assert e.headers.get_content_type() == "application/json"
        return e.code, json.loads(e.read())


def test_pack_api_answers_and_refuses_clearly(served, indexed):
    ids = ["anc-hipnoterapi", "save-bunda-bisa-luwu-utara"]
    status, data = get(f"{served}api/pack?cases={','.join(ids)}&lang=en")
    assert status == 200 and data["lang"] == "en" and [c["id"] for c in data["cases"]] == ids
    assert f'id="kasus-{ids[0]}"' in data["cases"][0]["html"] and "<script" not in data["cases"][0]["html"]
    assert data["cases"][0]["matrix"]["profile"][0] == ["Innovation", load_corpus(indexed / "corpus").cases[ids[0]].meta.title]
    assert data["cross"]["questions"] and all(q["text"] for q in data["cross"]["questions"])

    status, data = get(f"{served}api/pack?cases=anc-hipnoterapi,anc-hipnoterapy")
    assert status == 400 and data["error"] == "unknown case id 'anc-hipnoterapy' (did you mean 'anc-hipnoterapi'?)"
    status, data = get(f"{served}api/pack?cases=" + ",".join(f"kasus-{i}" for i in range(MAX_CASES + 1)))
    assert status == 400 and f"at most {MAX_CASES}" in data["error"]
    status, data = get(f"{served}api/pack?cases=../etc/passwd")
    assert status == 400 and "is not a case id" in data["error"]
    status, data = get(f"{served}api/pack")
    assert status == 400 and "no case ids given" in data["error"]
    status, data = get(f"{served}api/pack?cases=anc-hipnoterapi&lang=fr")
    assert status == 400 and "unknown language 'fr'" in data["error"]


def test_fragments_are_rendered_again_only_for_a_changed_case(tmp_path, monkeypatch):
    import shutil

    from jipp_kb.pack import fragments

    root = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, root)
    config = Config(base_url="/", root=tmp_path)
    counts: list[int] = []

    def once(out: str = "site") -> Path:
        corpus = load_corpus(root)
        build_site(
            corpus,
            config,
            {},
            output=tmp_path / out,
            cache_dir=tmp_path / f"cache-{out}",
            search=False,
            fragments=lambda w: counts.append(write_fragments(corpus, config, w)) or counts[-1],
        )
        return tmp_path / out

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.json")}

    serial = files(once("serial"))  # 38 fragments: under fragments.PARALLEL, rendered in this process
    monkeypatch.setattr(fragments, "PARALLEL", 1)
    site = once()  # in forked workers
    n = len(load_corpus(root).cases)
    assert counts == [2 * n, 2 * n]
    assert files(site) == serial, "forked workers write the same bytes"
    once()
    assert counts[-1] == 0
    case = root / "gebrakan-susi.md"
    case.write_text(case.read_text(encoding="utf-8").replace("Kecamatan Gucialit", "Kecamatan  Gucialit", 1), encoding="utf-8")
    once()
    assert counts[-1] == 2, "the changed case, in both languages"
    case.unlink()
    once()
    assert not (site / "paket" / "kasus" / "gebrakan-susi.json").exists(), "a deleted case's fragment goes"
    assert (site / "en" / "paket" / "kasus" / "anc-hipnoterapi.json").exists()
