"""``jipp-kb serve``: the built site plus a JSON search API, for an office intranet.

The model and indexes are opened once and shared by every request. With
``--watch`` the corpus is polled; a change re-indexes (only what changed),
rebuilds the site and swaps in fresh searchers.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from jipp_kb.config import Config
from jipp_kb.corpus import Corpus, case_files
from jipp_kb.render.urls import Urls
from jipp_kb.search import MODES, Searcher

FILTER_PARAMS = ("province", "regency", "level", "urusan", "jenis", "bentuk", "tahapan", "status", "award", "sdg")


class App:
    """What the handlers share: the corpus, an open searcher, the URL scheme."""

    def __init__(self, config: Config, corpus: Corpus) -> None:
        self.config = config
        self.lock = threading.Lock()
        self.urls = Urls.from_base_url(config.base_url)
        self.reload(corpus)

    def reload(self, corpus: Corpus) -> None:
        searcher = Searcher(self.config.resolve(self.config.index_dir), self.config.model)
        with self.lock:
            old = getattr(self, "searcher", None)
            self.corpus, self.searcher = corpus, searcher
        if old:
            old.close()

    def api(self, path: str, params: dict[str, list[str]]) -> tuple[int, object]:
        try:
            return self._route(path, params)
        except FileNotFoundError as exc:  # e.g. hybrid asked of a server without an embedding index
            return 503, {"error": str(exc)}

    def _route(self, path: str, params: dict[str, list[str]]) -> tuple[int, object]:
        parts = [p for p in path.split("/") if p][1:]  # after "api"
        if parts == ["search"]:
            return self.search(params)
        if len(parts) == 2 and parts[0] == "similar":
            try:
                items = self.searcher.similar(parts[1], _int(params, "limit", 5))
            except KeyError:
                return 404, {"error": f"no case with id '{parts[1]}'"}
            return 200, [{**s, "url": self.urls.case(s["id"])} for s in items]
        if len(parts) == 2 and parts[0] == "cases":
            case = self.corpus.cases.get(parts[1])
            if case is None:
                return 404, {"error": f"no case with id '{parts[1]}'"}
            return 200, {"meta": case.meta.model_dump(mode="json"), "sections": case.sections, "url": self.urls.case(case.id)}
        return 404, {"error": "unknown API path; use /api/search, /api/similar/ID or /api/cases/ID"}

    def search(self, params: dict[str, list[str]]) -> tuple[int, object]:
        q = (params.get("q") or [""])[0].strip()
        mode = (params.get("mode") or ["hybrid"])[0]
        if not q:
            return 400, {"error": "missing query parameter 'q'"}
        if mode not in MODES:
            return 400, {"error": f"mode must be one of {', '.join(MODES)}"}
        filters = {name: params[name] for name in FILTER_PARAMS if params.get(name)}
        try:
            response = self.searcher.search(q, mode, filters, _int(params, "limit", 10), facets="facets" in params)
        except ValueError as exc:
            return 400, {"error": str(exc)}
        data = response.to_dict()
        for r in data["results"]:
            r["url"] = self.urls.case(r["id"])
        return 200, data


def _int(params: dict, name: str, default: int) -> int:
    try:
        return max(1, min(100, int(params.get(name, [default])[0])))
    except ValueError:
        return default


class Handler(SimpleHTTPRequestHandler):
    app: App

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        base = self.app.urls.base
        if url.path.startswith(base + "api/") or url.path.startswith("/api/"):
            path = url.path[len(base) - 1 :] if url.path.startswith(base) else url.path
            status, data = self.app.api(path, parse_qs(url.query))
            body = json.dumps(data, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return
        if base != "/" and url.path.startswith(base):
            self.path = "/" + self.path[len(base) :]
        super().do_GET()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))


def make_server(app: App, site_dir: Path, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"app": app})
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(site_dir)))


def watch(root: Path, on_change: Callable[[], None], interval: float = 1.0, stop: threading.Event | None = None) -> None:
    """Poll the corpus folder's files (name, size, mtime) and call ``on_change`` when they differ."""

    def snapshot() -> tuple:
        files = case_files(root) + sorted(root.glob("*.yml")) + sorted((root / "collections").glob("*.yml"))
        return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files if p.exists())

    last = snapshot()
    while not (stop and stop.is_set()):
        time.sleep(interval)
        now = snapshot()
        if now != last:
            last = now
            on_change()
