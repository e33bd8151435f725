"""`jipp-kb serve`: the WSGI application over real HTTP (waitress), on the fixture corpus."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from pathlib import Path

import pytest

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.serve import App, make_server


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="module")
def server(indexed, site):
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


def test_a_server_runs_numpy_on_one_thread(server):
    """Requests run side by side; a second BLAS thread per product only spins (benchmarks/serve_load.py)."""
    from threadpoolctl import threadpool_info

    numpy_blas = [info for info in threadpool_info() if info["user_api"] == "blas" and "numpy" in info["filepath"]]
    assert numpy_blas and all(info["num_threads"] == 1 for info in numpy_blas)


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


COMPLAINTS = Path(__file__).parent / "data" / "complaints"


def post(url: str, body: bytes, kind: str = "text/csv") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request) as r:
            raw = r.read()
            return r.status, json.loads(raw), raw
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if e.headers.get_content_type() == "application/json" else {}, raw


def _subset(per_theme: int) -> bytes:
    """The first ``per_theme`` complaints of each theme of the labelled set, every column (names, phones) included."""
    with open(COMPLAINTS / "complaints.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows, seen = [], {}
        for row in reader:
            seen[row["tema"]] = seen.get(row["tema"], 0) + 1
            if seen[row["tema"]] <= per_theme:
                rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _files(*roots: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for root in roots for p in root.rglob("*")}


def test_complaints_api_returns_themes_and_no_personal_datum(server, indexed, site, monkeypatch):
    before = _files(indexed, site)
    body = _subset(4)
    status, data, raw = post(server + "api/complaints/analyse", body)
    assert status == 200, data
    assert data["source"]["complaints"] == 48 and data["source"]["capped"] == 0 and data["themes"]
    assert all(t["count"] and t["words"] and len(t["examples"]) <= 3 for t in data["themes"])
    assert sum(t["count"] for t in data["themes"]) == 48 and data["redacted"]
    assert data["limits"] == {"bytes": 5 * 1024 * 1024, "complaints": 5000} and data["pack"] is None
    text = raw.decode("utf-8")
    sent = body.decode("utf-8")
    planted = [p for p in (COMPLAINTS / "planted.txt").read_text(encoding="utf-8").splitlines() if p and p in sent]
    assert len(planted) >= 20, "the subset carries planted personal data"
    for secret in planted:
        assert secret not in text, secret
        digits = re.sub(r"\D", "", secret)
        if len(digits) >= 9:
            assert digits not in re.sub(r"\D", "", text), secret
    monkeypatch.setattr("jipp_kb.serve.MAX_COMPLAINTS", 20)
    status, data, _ = post(server + "api/complaints/analyse?examples=0", body)
    assert status == 200 and all(t["examples"] == [] for t in data["themes"])
    assert data["source"]["complaints"] == 20 and data["source"]["capped"] == 28 and data["limits"]["complaints"] == 20
    assert _files(indexed, site) == before, "nothing written under the server's folders"


def test_complaints_api_refuses_what_it_cannot_analyse(server):
    url = server + "api/complaints/analyse"
    status, data, _ = get(url)
    assert status == 405 and "POST" in data["error"]
    status, data, _ = post(url, b"tanggal,pelapor\n2026-01-02,Andi\n")
    assert status == 400 and "no complaint-text column" in data["error"] and "'pelapor'" in data["error"]
    status, data, _ = post(url + "?text_column=Uraian", b"isi\nJalan rusak\n")
    assert status == 400 and "column 'Uraian'" in data["error"]
    status, data, _ = post(url, b"PK\x03\x04 bukan workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert status == 400 and "cannot open the workbook" in data["error"]
    status, data, _ = post(url, b"\x00\x01\x02" * 100)
    assert status == 400 and "not a text file" in data["error"]
    status, data, _ = post(url, b"isi\n" + b"x" * (5 * 1024 * 1024))
    assert status == 413 and "at most 5 MB" in data["error"]


def test_complaints_api_runs_one_analysis_at_a_time_and_needs_a_length(indexed, site):
    app = App(Config(index_dir=indexed / "jipp", base_url="/kb/"), load_corpus(indexed / "corpus"), site)

    def call(body: bytes, **environ) -> tuple[str, dict, dict]:
        seen = {}
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/kb/api/complaints/analyse", "wsgi.input": io.BytesIO(body), **environ}
        out = app(environ, lambda status, headers: seen.update(status=status, headers=dict(headers)))
        return seen["status"], json.loads(b"".join(out)), seen["headers"]

    status, data, _ = call(b"isi\nJalan rusak\n")
    assert status.startswith("411") and "Content-Length" in data["error"]
    status, data, _ = call(b"--x\r\n", CONTENT_LENGTH="5", CONTENT_TYPE="multipart/form-data; boundary=x")
    assert status.startswith("400") and "not a form" in data["error"]
    app._analysing.acquire()
    try:
        status, data, headers = call(b"isi\nJalan rusak\n", CONTENT_LENGTH="16")
    finally:
        app._analysing.release()
    assert status.startswith("503") and headers["Retry-After"] == "30" and "try again" in data["error"]
