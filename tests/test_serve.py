"""`jipp-kb serve`: the WSGI application over real HTTP (waitress), on the fixture corpus."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.message import Message

import pytest

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.serve import App, make_server


@pytest.fixture(scope="module")
def server(indexed, tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text("<!doctype html><title>x</title>" + "<p>isi</p>" * 200, encoding="utf-8")
    (site / "static").mkdir()
    (site / "static" / "site.css").write_text("body{}", encoding="utf-8")
    (site / "404.html").write_text("<!doctype html><title>tidak ada</title>", encoding="utf-8")
    app = App(Config(index_dir=indexed / "jipp", base_url="/kb/"), load_corpus(indexed / "corpus"), site)
    httpd = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}/kb/"
    httpd.close()


def get(url: str, headers: dict | None = None) -> tuple[int, object, Message]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as r:
            body = r.read()
            kind = r.headers.get_content_type()
            return r.status, json.loads(body) if kind == "application/json" else body, r.headers
    except urllib.error.HTTPError as e:
        body = e.read()
        return e.code, json.loads(body) if e.headers.get_content_type() == "application/json" else body, e.headers


def test_search_api_defaults_to_hybrid(server):
    status, data, headers = get(server + "api/search?q=akta+kelahiran&limit=3")
    assert status == 200 and data["mode"] == "hybrid" and data["results"]
    first = data["results"][0]
    assert first["id"] == "lahir-procot-pulang-bawa-akta" and first["url"] == f"/kb/kasus/{first['id']}/"
    assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"
    assert "waitress" not in headers.get("Server", "") and "Python" not in headers.get("Server", "")


def test_api_and_cli_resolve_filters_the_same_way(server):
    status, data, _ = get(server + "api/search?q=pengaduan&mode=keyword&province=Sulsel&limit=50")
    assert status == 200 and data["results"] and all(r["region"].endswith("Sulawesi Selatan") for r in data["results"])
    status, data, _ = get(server + "api/search?q=pengaduan&mode=keyword&year=2015-2018&limit=50")
    assert status == 200 and data["results"] and all(2015 <= r["year"] <= 2018 for r in data["results"])
    status, data, _ = get(server + "api/search?q=pengaduan&province=Atlantis")
    assert status == 400 and "unknown province 'Atlantis'" in data["error"]
    status, data, _ = get(server + "api/search?q=pengaduan&province=Jawa+Timor")
    assert status == 400 and "did you mean 'Jawa Timur'" in data["error"]


def test_bad_requests_are_400_with_a_message(server):
    assert get(server + "api/search?mode=keyword")[0] == 400
    assert get(server + "api/search?q=x&mode=magic")[0] == 400
    status, data, _ = get(server + "api/search?q=" + "antrean+" * 100)
    assert status == 400 and "at most 300" in data["error"]
    assert get(server + "api/search?q=" + "a" * 3000)[0] == 414
    assert get(server + "api/cases/tidak-ada")[0] == 404 and get(server + "api/apa")[0] == 404


def test_similar_and_case_api(server):
    status, data, _ = get(server + "api/similar/anc-hipnoterapi?limit=3")
    assert status == 200 and data and all(item["reason"] and item["url"].startswith("/kb/kasus/") for item in data)
    status, data, _ = get(server + "api/cases/sumpah-beruang")
    assert status == 200 and data["meta"]["id"] == "sumpah-beruang" and "Ringkasan" in data["sections"]


def test_static_files_have_caching_compression_and_no_listings(server):
    status, body, headers = get(server, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and b"<title>x</title>" in gzip.decompress(body)
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, _, again = get(server + "static/site.css")
    assert status == 200 and again["ETag"] and again["Cache-Control"].startswith("public")
    assert get(server + "static/site.css", {"If-None-Match": again["ETag"]})[0] == 304
    status, body, _ = get(server + "static/")
    assert status == 404 and b"tidak ada" in body, "a folder without index.html is never listed"
    assert get(server + "../../etc/passwd")[0] == 404 and get(server + "%2e%2e/%2e%2e/etc/passwd")[0] == 404
    assert get(server.replace("/kb/", "/healthz"))[1]["status"] == "ok"


def test_concurrent_clients_get_no_errors(server):
    queries = [
        "antrean puskesmas",
        "akta kelahiran",
        "pengaduan masyarakat",
        "sampah",
        "ibu hamil",
        "stunting",
        "rumah layak huni",
        "KIPP Top 45",
    ]

    def one(i: int) -> int:
        return get(server + "api/search?q=" + urllib.request.quote(queries[i % len(queries)]) + "&mode=" + ("keyword", "hybrid")[i % 2])[0]

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(one, range(160)))
    assert statuses == [200] * 160
