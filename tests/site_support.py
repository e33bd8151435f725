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

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
BASE = "/jipp-kb/"
HOSTILE_ID = "kasus-berbahaya"
URL_ATTRS = {"href", "src", "action", "poster", "data", "formaction", "cite", "background"}


def make_corpus(dest: Path, *, real: bool = True) -> Path:
    """The real corpus (when asked), the small valid fixture and the hostile fixture, in one folder."""
    root = dest / "corpus"
    if real:
        shutil.copytree(ROOT / "corpus", root, ignore=shutil.ignore_patterns(".*"))
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
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
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

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base}"
    finally:
        server.shutdown()
        server.server_close()
