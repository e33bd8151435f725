"""`jipp-kb serve`: the JSON API and the static files, over real HTTP."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from jipp_kb import keyword
from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.indexer import glossary_dicts
from jipp_kb.serve import App, make_server

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    corpus = load_corpus(ROOT / "corpus")
    keyword.build(tmp / "jipp", corpus.sorted_cases(), glossary_dicts(corpus))
    site = tmp / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    app = App(Config(index_dir=tmp / "jipp", base_url="/kb/"), corpus)
    httpd = make_server(app, site, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/kb/"
    httpd.shutdown()
    httpd.server_close()


def get(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url) as r:
            body = r.read()
            return r.status, json.loads(body) if r.headers.get_content_type() == "application/json" else body.decode()
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_search_api(server):
    status, data = get(server + "api/search?q=akta+kelahiran&mode=keyword&limit=3")
    assert status == 200 and data["mode"] == "keyword" and len(data["results"]) == 3
    first = data["results"][0]
    assert first["url"] == f"/kb/kasus/{first['id']}/" and "<mark" in first["snippet"]


def test_search_api_filters_and_errors(server):
    status, data = get(server + "api/search?q=pelayanan&mode=keyword&province=Sulawesi+Selatan&limit=50")
    assert status == 200 and data["results"] and all(r["region"].endswith("Sulawesi Selatan") for r in data["results"])
    assert get(server + "api/search?mode=keyword")[0] == 400
    assert get(server + "api/search?q=x&mode=magic")[0] == 400
    status, data = get(server + "api/search?q=akta&mode=hybrid")
    assert status == 503 and "jipp-kb index" in data["error"], "no embedding index: a clear JSON error, not a crash"


def test_case_api_and_static_files(server):
    status, data = get(server + "api/cases/sumpah-beruang")
    assert status == 200 and data["meta"]["id"] == "sumpah-beruang" and "Ringkasan" in data["sections"]
    assert get(server + "api/cases/tidak-ada")[0] == 404
    assert get(server + "api/apa")[0] == 404
    status, body = get(server)
    assert status == 200 and "<title>x</title>" in body
