"""The built site in a real browser (headless Chromium through Selenium).

Home -> Pagefind search -> a filter -> a result -> "Inovasi serupa" -> English
-> print preview and PDF, then a phone-sized window and the keyboard (the
search page itself, and its use of `jipp-kb serve`'s API: test_site_search.py). Screenshots go
to test-output/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
from site_support import BASE, ROOT, make_corpus, serve, similar_for

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.render.site import build_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = ROOT / "test-output" / "screenshots"
WAIT = 20
RESULT_LINK = "#search-results .search-result-title a"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(f"Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}); run: make browser", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402 - after the module-level skip
from selenium.webdriver.common.by import By  # noqa: E402 - after the module-level skip
from selenium.webdriver.common.keys import Keys  # noqa: E402 - after the module-level skip
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402 - after the module-level skip
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402 - after the module-level skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    corpus = load_corpus(make_corpus(tmp))
    similar = similar_for(list(corpus.cases))
    config = Config(base_url=BASE, repo_url="https://github.com/example/jipp-kb", root=tmp)
    build_site(corpus, config, similar, output=tmp / "site", cache_dir=tmp / "cache", search=True)
    return tmp / "site", corpus, similar


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1280,900", "--lang=id"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def shot(driver, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def full_page_shot(driver, name: str) -> Path:
    """The whole page, not only the viewport, through the DevTools protocol."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    data = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1},
        },
    )
    path = SHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(data["data"]))
    return path


def wait_for(driver, condition):
    return WebDriverWait(driver, WAIT).until(condition)


def case_id_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_search_filter_open_similar_switch_language_and_print(built, browser):
    site, corpus, similar = built
    with serve(site) as home:
        browser.get(home)
        assert browser.execute_script("return document.documentElement.lang") == "id"
        assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 3
        full_page_shot(browser, "01-home")

        # Search from the home page: the query reaches the search page and Pagefind answers.
        box = browser.find_element(By.ID, "home-q")
        box.send_keys("akta kelahiran")
        box.send_keys(Keys.ENTER)
        wait_for(browser, EC.url_contains("cari/?q="))
        results = wait_for(browser, EC.presence_of_all_elements_located((By.CSS_SELECTOR, RESULT_LINK)))
        assert results, "Pagefind found nothing for 'akta kelahiran'"
        assert all(r.get_attribute("href").startswith(home + "kasus/") for r in results), "result links must respect the base URL"
        shot(browser, "02-search-results")

        # Filter by province: every remaining result is a Jawa Timur case.
        Select(browser.find_element(By.ID, "filter-province")).select_by_value("Jawa Timur")
        wait_for(
            browser,
            lambda d: (
                "province=Jawa+Timur" in d.current_url
                and d.find_element(By.ID, "search-app").get_attribute("data-state") == "done"
                and d.find_elements(By.CSS_SELECTOR, RESULT_LINK)
                and all(
                    corpus.cases[case_id_of(a.get_attribute("href"))].meta.province == "Jawa Timur"
                    for a in d.find_elements(By.CSS_SELECTOR, RESULT_LINK)
                )
            ),
        )
        shot(browser, "03-search-filtered")

        # Open the first result.
        first = browser.find_element(By.CSS_SELECTOR, RESULT_LINK)
        target = first.get_attribute("href")
        first.click()
        wait_for(browser, EC.url_to_be(target))
        case_id = case_id_of(target)
        assert browser.find_element(By.TAG_NAME, "h1").text == corpus.cases[case_id].meta.title
        full_page_shot(browser, "04-case")

        # Follow the first "Inovasi serupa" link.
        link = browser.find_element(By.CSS_SELECTOR, ".similar a")
        expected = similar[case_id][0][0]
        link.click()
        wait_for(browser, EC.url_to_be(f"{home}kasus/{expected}/"))
        assert browser.find_element(By.TAG_NAME, "h1").text == corpus.cases[expected].meta.title

        # Switch to English: the same case, English interface and summary.
        browser.find_element(By.CSS_SELECTOR, "a.lang-switch").click()
        wait_for(browser, EC.url_to_be(f"{home}en/kasus/{expected}/"))
        assert browser.execute_script("return document.documentElement.lang") == "en"
        assert browser.find_element(By.ID, "summary-title").text == "In brief"
        assert " ".join(corpus.cases[expected].meta.summary_en.split())[:60] in browser.find_element(By.CSS_SELECTOR, ".case-summary").text
        full_page_shot(browser, "05-case-english")

        # Print: navigation and search hidden, link targets spelled out, A4 PDF.
        browser.get(f"{home}kasus/contoh-akta/")
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            hidden = browser.execute_script(
                "return ['.site-nav', '.header-search', '.lang-switch', '.breadcrumbs', '.site-footer', '.edit-link']"
                ".map(s => document.querySelector(s)).filter(Boolean).every(e => getComputedStyle(e).display === 'none')"
            )
            assert hidden, "print view still shows navigation or search"
            after = browser.execute_script("return getComputedStyle(document.querySelector('.sources a'), '::after').content")
            assert "attr(href)" in after or "example.org/akta" in after, after
            full_page_shot(browser, "06-case-print-preview")
            pdf = browser.execute_cdp_cmd(
                "Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False, "preferCSSPageSize": True}
            )
        finally:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        data = base64.b64decode(pdf["data"])
        assert data.startswith(b"%PDF")
        (SHOTS / "06-case-print.pdf").write_bytes(data)
        _pdf_first_page_png(data, SHOTS / "07-case-print-page1.png")


def _pdf_first_page_png(data: bytes, out: Path) -> None:
    """Render page 1 of the printed PDF to an image (pypdfium2), and check it is A4."""
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(data)
    width, height = doc[0].get_size()
    assert abs(width - 595) < 3 and abs(height - 842) < 3, (width, height)  # A4 in points
    doc[0].render(scale=1.2).to_pil().save(out)
    doc.close()


def test_phone_layout_and_keyboard(built, browser):
    site, _, _ = built
    with serve(site) as home:
        # A phone: 390 CSS pixels wide (Chromium will not make a window that narrow, so emulate the device).
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            for name, path in (("09-phone-home", ""), ("10-phone-case", "kasus/contoh-akta/"), ("10-phone-search", "cari/?q=akta")):
                browser.get(home + path)
                if path.startswith("cari/"):
                    wait_for(browser, EC.presence_of_element_located((By.CSS_SELECTOR, RESULT_LINK)))
                width = browser.execute_script("return document.documentElement.clientWidth")
                overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert width <= 390 and overflow <= 0, f"{path or 'home'}: page is {overflow}px wider than a {width}px phone screen"
                full_page_shot(browser, name)
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.get(home)
        body = browser.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        assert active.get_attribute("class") == "skip-link" and active.is_displayed()
        shot(browser, "11-skip-link-focused")
        active.send_keys(Keys.ENTER)
        assert browser.execute_script("return document.activeElement.id") == "main"
        # From the top, Tab reaches the language switch, the navigation and the search box.
        browser.get(home)
        reached = []
        for _ in range(12):
            browser.switch_to.active_element.send_keys(Keys.TAB)
            el = browser.switch_to.active_element
            reached.append(el.get_attribute("class") or el.get_attribute("id") or el.text)
        assert reached[0] == "skip-link" and {"lang-switch", "home-q", "Cari", "Tentang"} <= set(reached), reached
