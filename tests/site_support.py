"""Helpers shared by the site tests: a test corpus, an HTML crawler and a local web server."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
BASE = "/jipp-kb/"
HOSTILE_ID = "kasus-berbahaya"
URL_ATTRS = {"href", "src", "action", "poster", "data", "formaction", "cite", "background"}


def make_corpus(dest: Path, *, real: bool = True) -> Path:
    """The fixture corpus of real cases (when asked), the small valid fixture and the hostile fixture, in one folder.

    Frozen copies (tests/data/corpus), so a content pull request to corpus/ never breaks a site test.
    """
    root = dest / "corpus"
    if real:
        shutil.copytree(DATA / "corpus", root, ignore=shutil.ignore_patterns(".*"))
    else:
        root.mkdir(parents=True)
    shutil.copy(DATA / "valid" / "contoh-akta.md", root)
    shutil.copy(DATA / "hostile" / f"{HOSTILE_ID}.md", root)
    return root


def similar_for(ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """A deterministic stand-in for the search module's map: each case's two alphabetical neighbours."""
    ids = sorted(ids)
    out = {
        cid: [(ids[(i + 1) % len(ids)], "uji: tetangga berikutnya"), (ids[(i + 2) % len(ids)], "uji: tetangga kedua")]
        for i, cid in enumerate(ids)
    }
    if HOSTILE_ID in out:
        out[HOSTILE_ID] = [(ids[0], "<script>alert('reason')</script>")]
    return out


class Page(HTMLParser):
    """Every tag with its attributes, in document order, plus the ids and scripts of one HTML file."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.duplicate_ids: set[str] = set()
        self.inline_scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            if a["id"] in self.ids:
                self.duplicate_ids.add(a["id"])
            self.ids.add(a["id"])
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def urls(self) -> Iterator[tuple[str, str, str]]:
        for tag, attrs in self.tags:
            for name, value in attrs.items():
                if name in URL_ATTRS and value is not None:
                    yield tag, name, value


def parse(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def html_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if "pagefind" not in p.relative_to(root).parts)


def resolve(root: Path, base: str, url: str) -> Path | None:
    """The output file an internal root-relative URL serves, or None if the URL is outside the base."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(base):
        return None
    rel = path[len(base) :]
    target = root / rel
    return target / "index.html" if rel == "" or rel.endswith("/") else target


def is_internal(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


@contextlib.contextmanager
def serve(root: Path, base: str = BASE, api=None) -> Iterator[str]:
    """Serve ``root`` at ``http://127.0.0.1:<free port><base>`` in a thread; ``api(query) -> (status, json)`` answers /api/search."""
    import json

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if api and url.path == base + "api/search":
                status, data = api(url.query)
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if not url.path.startswith(base):
                self.send_error(404)
                return
            self.path = "/" + self.path[len(base) :]
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base}"
    finally:
        server.shutdown()
        server.server_close()


SEARCH_GLOSSARY = """\
- term: antrean
  synonyms: [antrian, antre]
- term: keluhan
  synonyms: [pengaduan, aduan]
- term: Puskesmas
  expansion: pusat kesehatan masyarakat
"""

SEARCH_CASES = {
    # id: (title, summary, province, regency, urusan, year, depth, body)
    "antre-sehat-uji": (
        "Antre Sehat (Antrean Daring Puskesmas)",
        "Pasien mengambil nomor antrean puskesmas dari rumah lewat pesan singkat, sehingga ruang tunggu tidak penuh.",
        "Jawa Tengah",
        "Kabupaten Banyumas",
        "kesehatan",
        2019,
        "studi kasus",
        "Antrean pasien di puskesmas mengular sejak subuh.",
    ),
    "loket-capil-uji": (
        "Loket Tanpa Antri (Layanan Capil Terjadwal)",
        "Warga memesan jadwal kedatangan ke kantor catatan sipil, sehingga antrian di loket kependudukan hilang.",
        "Jawa Timur",
        "Kabupaten Banyuwangi",
        "administrasi kependudukan dan pencatatan sipil",
        2017,
        "studi kasus",
        "Antrian panjang di loket dokumen kependudukan membuat warga datang berkali-kali.",
    ),
    "lapor-bupati-uji": (
        "Lapor Bupati (Layanan Pengaduan Lewat SMS)",
        "Warga mengirim pengaduan tentang jalan rusak dan layanan publik lewat SMS, dan dinas wajib menjawab dalam tiga hari.",
        "Sulawesi Selatan",
        "Kabupaten Gowa",
        "komunikasi dan informatika",
        2016,
        "profil",
        "",
    ),
    "bank-sampah-uji": (
        "Bank Sampah Banjar (Tabungan Sampah Warga)",
        "Warga menabung sampah plastik yang sudah dipilah dan menukarnya dengan uang atau sembako.",
        "Bali",
        "Kabupaten Badung",
        "lingkungan hidup",
        2018,
        "studi kasus",
        "Sampah plastik menumpuk di selokan banjar.",
    ),
}


def make_search_corpus(dest: Path) -> Path:
    """A small corpus written for the search-page tests: a puskesmas-queue case, a queue case that writes
    "antrian", a complaints profile that says only "pengaduan", and an unrelated one; the real corpus may change."""
    root = dest / "corpus"
    root.mkdir(parents=True)
    (root / "_glossary.yml").write_text(SEARCH_GLOSSARY, encoding="utf-8")
    template = (DATA / "valid" / "contoh-akta.md").read_text(encoding="utf-8")
    front, _, body = template.partition("\n---\n")
    for cid, (title, summary, province, regency, urusan, year, depth, problem) in SEARCH_CASES.items():
        meta = yaml.safe_load(front.removeprefix("---\n"))
        meta.update(
            id=cid,
            title=title,
            acronym_expansion=None,
            summary=summary,
            summary_en=f"Test fixture: {title}."
            + (" Patients take a number from home during the day; registered numbers get a reminder." if cid == "antre-sehat-uji" else ""),
            province=province,
            regency=regency,
            agency=f"Pemerintah {regency}",
            urusan=[urusan],
            year_started=year,
            depth=depth,
            tags=[],
            contacts=[],
            awards=[{"name": "KIPP", "tier": "Top 45", "year": year + 1}] if cid == "antre-sehat-uji" else [],
        )
        meta["sources"] = [{"url": f"https://example.org/{cid}/{n}", "title": f"Sumber {n}", "accessed": "2026-11-27"} for n in (1, 2)]
        if depth == "profil":
            text = f"## Ringkasan\n\n{summary} [1]\n"
        else:
            text = body.replace("Akta kelahiran diterbitkan di puskesmas tempat bayi lahir [1].", summary + " [1]")
            text = text.replace("Banyak anak belum memiliki akta kelahiran.", problem)
            text = text.replace("Petugas menerbitkan akta di tempat persalinan.", "Petugas menjalankan layanan baru.")
            text = text.replace("Kerja sama dinas dengan puskesmas dan rumah sakit.", "Kerja sama antardinas.")
            text = text.replace("Cakupan akta naik.", "Layanan lebih cepat.")
            text = text.replace("Layanan jemput bola memangkas biaya warga.", "Layanan dekat memangkas biaya warga.")
            text = text.replace("Daerah lain dapat meniru dengan kerja sama fasilitas kesehatan.", "Daerah lain dapat meniru.")
        (root / f"{cid}.md").write_text(
            "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + text, encoding="utf-8"
        )
    return root
