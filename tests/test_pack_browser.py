"""A facilitator with only a browser: the collection page links every piece of the learning pack, and each one opens.

Headless Chromium (Selenium) on the fixture corpus's site, with the packs conftest's ``pack_site`` built once.
The browser follows every pack link of the collection page; HTML documents must load with their title, and the
bytes of each PDF, CSV and ZIP the browser fetches must parse (pypdf, csv, zipfile).
"""

from __future__ import annotations

import base64
import csv
import io
import zipfile

import pypdf
import pytest
from conftest import PACK_COLLECTION
from site_support import serve

from jipp_kb.config import Config
from jipp_kb.pack.build import FILES
from jipp_kb.render.site import build_site

from selenium.webdriver.common.by import By
from test_site_browser import SHOTS, browser  # noqa: F401 - the shared Chromium (and its skip when none is installed)

BASE = "/"

FETCH = """
const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(async (r) => {
  const bytes = new Uint8Array(await r.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  done({status: r.status, type: r.headers.get('content-type'), data: btoa(text)});
}).catch((e) => done({status: 0, type: String(e), data: ''}));
"""
"""Fetch a URL from the page, as the browser would download it: status, content type and the bytes (base64)."""


@pytest.fixture(scope="module")
def site(pack_site, tmp_path_factory):
    """The fixture corpus's site, built over the folder that already holds the packs (the order `jipp-kb build` uses)."""
    folder, corpus, _, _ = pack_site
    tmp = tmp_path_factory.mktemp("pack-browser")
    config = Config(base_url=BASE, repo_url="https://github.com/example/jipp-kb", root=tmp)
    build_site(corpus, config, {}, output=folder, cache_dir=tmp / "cache", search=False)
    return folder


def _fetch(browser, url: str) -> tuple[int, str, bytes]:  # noqa: F811
    got = browser.execute_async_script(FETCH, url)
    return got["status"], got["type"] or "", base64.b64decode(got["data"])


def test_collection_page_links_every_pack_file_and_each_opens(site, browser):  # noqa: F811
    with serve(site, BASE) as root:
        page = f"{root}koleksi/{PACK_COLLECTION}/"
        browser.get(page)
        links = browser.find_elements(By.CSS_SELECTOR, ".downloads a")
        hrefs = [a.get_attribute("href") for a in links]
        assert sorted(h.rsplit("/", 1)[-1] for h in hrefs) == sorted(FILES), "one link for every file of the pack"
        assert all(h.startswith(f"{root}packs/{PACK_COLLECTION}/") for h in hrefs)
        labels = {a.get_attribute("href").rsplit("/", 1)[-1]: a.text for a in links}
        assert labels["handout-short.pdf"] == "PDF" and labels["pack.zip"] == "ZIP"
        browser.save_screenshot(str(SHOTS / "pack-collection-page.png"))

        for href in hrefs:
            status, kind, data = _fetch(browser, href)
            name = href.rsplit("/", 1)[-1]
            assert status == 200, (name, status)
            if name.endswith(".pdf"):
                assert data.startswith(b"%PDF-") and len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 1, name
            elif name.endswith(".csv"):
                rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
                assert rows[0][0] == "Inovasi" and len(rows) == 4, name
            elif name.endswith(".zip"):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    assert archive.testzip() is None and len(archive.namelist()) == len(FILES) - 1
            elif name.endswith(".md"):
                assert data.decode("utf-8").startswith("# ")

        for href in (h for h in hrefs if h.endswith(".html")):
            browser.get(href)
            title = browser.title
            assert title and "Kesehatan Ibu" in title, (href, title)
            assert browser.find_element(By.CSS_SELECTOR, "h1").text.strip()
        browser.get(f"{root}packs/{PACK_COLLECTION}/rtl.html")
        browser.save_screenshot(str(SHOTS / "pack-rtl-html.png"))
