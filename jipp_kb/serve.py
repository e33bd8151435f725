"""``jipp-kb serve``: the built site and a JSON search API, as one WSGI application.

:class:`App` is a standard WSGI callable, so any production server can run it
with several workers (``waitress-serve --call`` or gunicorn with
:func:`create_app`); ``jipp-kb serve`` runs it on waitress, a pure-Python
threaded server with no C build and no fork, which works the same on an
office's Windows or Linux machine. Keyword searchers are per thread (whoosh's
searcher is not thread-safe); the embedding index is shared, read-only.
Static files get ``ETag``/``Cache-Control`` and gzip; directories are never
listed; every response carries ``X-Content-Type-Options`` and a content
security policy. With ``--watch`` the corpus is polled and a change is
rebuilt; a failed rebuild is logged and the last good site stays served.

``POST /api/complaints/analyse`` runs ``jipp-kb complaints`` on an export sent
as the request body, for an office intranet: the body is held in memory
(waitress is told to keep uploads of that size off its spool files), the
report's examples are redacted, and nothing is written anywhere. One analysis
runs at a time and at most :data:`MAX_COMPLAINTS` complaints are analysed, so
an upload cannot hold the server's threads or cores for long.
"""

from __future__ import annotations

import gzip
from dataclasses import asdict
import json
import mimetypes
import os
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from jipp_kb.errors import NoIndex
from jipp_kb.config import Config
from jipp_kb.corpus import Corpus, case_files
from jipp_kb.filters import NAMES as FILTER_NAMES
from jipp_kb.filters import FilterError, resolve
from jipp_kb.render.urls import Urls
from jipp_kb.search import DEFAULT_MODE, QueryError, Searcher
from jipp_kb.threads import one_thread

MAX_LIMIT = 100
MAX_QUERY_STRING = 2048
MAX_UPLOAD = 5 * 1024 * 1024
"""Bytes of a complaint export the API accepts; more is a 413."""
MAX_COMPLAINTS = 5000
"""Complaints the API analyses (the first ones); the response's ``source.capped`` says how many were left out."""
ANALYSE_PATH = "api/complaints/analyse"
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel")
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml", "application/xml")
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    ),
]
STATUS = {
    200: "200 OK",
    301: "301 Moved Permanently",
    304: "304 Not Modified",
    400: "400 Bad Request",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    411: "411 Length Required",
    413: "413 Content Too Large",
    414: "414 URI Too Long",
    503: "503 Service Unavailable",
}

Headers = list[tuple[str, str]]


class App:
    """The site's files under ``config.base_url`` and the API at ``<base>api/``; reloadable while serving."""

    def __init__(self, config: Config, corpus: Corpus, site_dir: Path | None = None) -> None:
        self.config = config
        self.site_dir = (site_dir or config.resolve(config.site_dir)).resolve()
        self.urls = Urls.from_base_url(config.base_url)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._generation = 0
        self._analysing = threading.Lock()
        """Held while an upload is analysed: a second one meanwhile gets a 503, not a queue of CPU-bound work."""
        self.reload(corpus)

    def reload(self, corpus: Corpus) -> None:
        """Swap in a new corpus and fresh indexes; each thread reopens its searcher on its next request."""
        Searcher(self.config.resolve(self.config.index_dir), self.config.model).close()  # fail now if there is no index
        with self._lock:
            self.corpus, self._vectors = corpus, None
            self._generation += 1

    def searcher(self) -> Searcher:
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            if getattr(local, "searcher", None):
                local.searcher.close()
            local.searcher = Searcher(self.config.resolve(self.config.index_dir), self.config.model, vectors=self._shared_vectors)
            local.generation = self._generation
        return local.searcher

    def _shared_vectors(self):
        """The embedding index, loaded once for all threads (it is read-only)."""
        with self._lock:
            if self._vectors is None:
                from jipp_kb.vectors import VectorIndex

                self._vectors = VectorIndex(self.config.resolve(self.config.index_dir), self.config.model)
            return self._vectors

    # WSGI
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        inside = self._inside_base(path)
        if inside is not None and inside.rstrip("/") == ANALYSE_PATH:
            status, headers, body = _json(*self.analyse_upload(environ))
            if status == 405:
                headers.append(("Allow", "POST"))
            elif status == 503:
                headers.append(("Retry-After", "30"))
        elif method not in ("GET", "HEAD"):
            status, headers, body = _json(405, {"error": "only GET and HEAD"})
            headers.append(("Allow", "GET, HEAD"))
        elif len(environ.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            status, headers, body = _json(414, {"error": f"query string over {MAX_QUERY_STRING} characters"})
        elif path == "/healthz":
            status, headers, body = _json(200, {"status": "ok", "cases": len(self.corpus.cases)})
        else:
            if inside is None:
                status, headers, body = self._not_found()
            elif inside.startswith("api/"):
                status, headers, body = _json(*self.api(inside[3:], parse_qs(environ.get("QUERY_STRING", ""))))
                headers.append(("Access-Control-Allow-Origin", "*"))  # the site's search page may be hosted elsewhere (config api_url)
            else:
                status, headers, body = self.static(inside, environ)
        if body and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") and _compressible(headers) and len(body) > 512:
            body = gzip.compress(body, 6, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        if _compressible(headers):
            headers.append(("Vary", "Accept-Encoding"))
        headers += SECURITY_HEADERS + [("Content-Length", str(len(body)))]
        start_response(STATUS[status], headers)
        return [b""] if method == "HEAD" else [body]

    def _inside_base(self, path: str) -> str | None:
        base = self.urls.base
        if path.startswith(base):
            return path[len(base) :]
        if path.startswith("/api/"):  # the API also answers at the root, for clients that ignore base_url
            return path[1:]
        return None

    def api(self, path: str, params: dict[str, list[str]]) -> tuple[int, object]:
        parts = [p for p in path.split("/") if p]
        try:
            if parts == ["search"]:
                return self.search(params)
            if parts == ["pack"]:
                return self.pack(params)
            if len(parts) == 2 and parts[0] == "similar":
                try:
                    items = self.searcher().similar(parts[1], _int(params, "limit", 5))
                except KeyError:
                    return 404, {"error": f"no case with id '{parts[1]}'"}
                return 200, [{**asdict(s), "url": self.urls.case(s.id)} for s in items]
            if len(parts) == 2 and parts[0] == "cases":
                case = self.corpus.cases.get(parts[1])
                if case is None:
                    return 404, {"error": f"no case with id '{parts[1]}'"}
                return 200, {"meta": case.meta.model_dump(mode="json"), "sections": case.sections, "url": self.urls.case(case.id)}
        except NoIndex as exc:  # e.g. hybrid asked of a server without an embedding index
            return 503, {"error": str(exc)}
        return 404, {"error": "unknown API path; use /api/search, /api/pack, /api/similar/ID or /api/cases/ID"}

    def analyse_upload(self, environ: dict) -> tuple[int, object]:
        """The complaints report (JSON, examples redacted) of the export in the request body; nothing is stored."""
        from jipp_kb.extras import MissingExtra, require

        if environ.get("REQUEST_METHOD") != "POST":
            return 405, {"error": "send the export with POST as the request body (CSV or .xlsx)"}
        try:
            require("complaints", "POST /api/complaints/analyse")
        except MissingExtra as exc:
            return 503, {"error": str(exc)}
        from jipp_kb.complaints.analyse import ComplaintError, Options, analyse_export
        from jipp_kb.complaints.read import FIELDS, ComplaintFileError, read_data

        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return 400, {"error": "Content-Length is not a number"}
        if length < 0:
            return 411, {"error": "Content-Length is required"}
        if length > MAX_UPLOAD:
            return 413, {"error": f"the file has {length:,} bytes; at most {MAX_UPLOAD // 2**20} MB — split it by period"}
        if length == 0:
            return 400, {"error": "the request body is empty; send the CSV or .xlsx export as the body"}
        data = environ["wsgi.input"].read(length)
        params = parse_qs(environ.get("QUERY_STRING", ""))
        columns = {f: params[f"{f}_column"][0] for f in FIELDS if params.get(f"{f}_column")}
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if kind.startswith("multipart/"):
            return 400, {"error": "send the file itself as the body (curl --data-binary @file.csv), not a form"}
        name = Path("upload.xlsx" if kind in XLSX_TYPES else "upload.csv")
        options = Options(columns=columns, examples=(params.get("examples") or ["1"])[0] not in ("0", "false", "no"))
        options.pack_themes, options.max_complaints = 0, MAX_COMPLAINTS
        if not self._analysing.acquire(blocking=False):
            return 503, {"error": "another export is being analysed; try again in a minute"}
        try:
            export = read_data(data, name, columns)
            report, _ = analyse_export(export, self.config, options)
        except ComplaintFileError as exc:
            return 400, {"error": str(exc)}
        except ComplaintError as exc:
            return 503, {"error": str(exc)}
        finally:
            self._analysing.release()
        report["limits"] = {"bytes": MAX_UPLOAD, "complaints": MAX_COMPLAINTS}
        return 200, report

    def search(self, params: dict[str, list[str]]) -> tuple[int, object]:
        q = (params.get("q") or [""])[0]
        mode = (params.get("mode") or [DEFAULT_MODE])[0]
        if not q.strip():
            return 400, {"error": "missing query parameter 'q'"}
        try:
            filters = resolve({name: params[name] for name in FILTER_NAMES if params.get(name)})
            response = self.searcher().search(
                q,
                mode,
                filters,
                _int(params, "limit", 10),
                facets="facets" in params,
                infer=(params.get("infer") or ["1"])[0] not in ("0", "false", "no"),
            )
        except (FilterError, QueryError) as exc:
            return 400, {"error": str(exc)}
        data = response.to_dict()
        for r in data["results"]:
            r["url"] = self.urls.case(r["id"])
        return 200, data

    def pack(self, params: dict[str, list[str]]) -> tuple[int, object]:
        """The pack page's cases, made now with the pack builder (fragments and questions across them; no PDF)."""
        from jipp_kb.pack.fragments import parse_ids, served_pack
        from jipp_kb.pack.select import PackError

        try:
            ids = parse_ids((params.get("cases") or [""])[0])
            return 200, served_pack(self.corpus, self.config, ids, (params.get("lang") or ["id"])[0])
        except PackError as exc:
            return 400, {"error": str(exc)}

    def static(self, inside: str, environ: dict) -> tuple[int, Headers, bytes]:
        target = (self.site_dir / inside).resolve()
        if target != self.site_dir and self.site_dir not in target.parents:
            return self._not_found()
        if target.is_dir():
            if inside and not inside.endswith("/"):
                return 301, [("Location", self.urls.base + inside + "/")], b""
            target = target / "index.html"
        try:
            stat = target.stat()
        except OSError:
            return self._not_found()
        if not target.is_file():
            return self._not_found()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        headers = [
            ("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") or kind == "application/javascript" else kind),
            ("ETag", etag),
            ("Cache-Control", "no-cache" if kind == "text/html" else "public, max-age=3600"),
        ]
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            return 304, headers, b""
        return 200, headers, _read(str(target), stat.st_mtime_ns, stat.st_size)

    def _not_found(self) -> tuple[int, Headers, bytes]:
        page = self.site_dir / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>404</title><p>Not found"
        return 404, [("Content-Type", "text/html; charset=utf-8")], body


@lru_cache(maxsize=512)
def _read(path: str, mtime_ns: int, size: int) -> bytes:
    """File bytes, cached by path and version (mtime, size)."""
    with open(path, "rb") as f:
        return f.read()


def _json(status: int, data: object) -> tuple[int, Headers, bytes]:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")], body


def _compressible(headers: Headers) -> bool:
    kind = dict(headers).get("Content-Type", "")
    return kind.startswith(COMPRESSIBLE)


def _int(params: dict, name: str, default: int) -> int:
    try:
        return max(1, min(MAX_LIMIT, int(params.get(name, [default])[0])))
    except ValueError:
        return default


def create_app(root: str = ".") -> App:
    """The WSGI application for a production server, configured from ``root/jipp-kb.toml``.

    e.g. ``waitress-serve --threads 8 --call 'jipp_kb.serve:create_app'``
    """
    from jipp_kb.config import load_config
    from jipp_kb.corpus import load_corpus

    config = load_config(Path(root) / "jipp-kb.toml")
    one_thread()  # for the whole process: its requests already run side by side
    return App(config, load_corpus(config.resolve(config.corpus)))


def make_server(app: App, host: str, port: int, threads: int = 8):
    """A waitress server for ``app``: ``.run()`` serves, ``.close()`` stops, ``.effective_port`` is the port."""
    from waitress import create_server

    one_thread()  # for the whole process: its requests already run side by side

    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="jipp-kb",
        channel_timeout=30,
        max_request_body_size=MAX_UPLOAD + 2**20,  # a larger body is refused by waitress before it is read
        inbuf_overflow=MAX_UPLOAD + 2**20,  # an upload up to the limit stays in memory, never in a spool file
        connection_limit=200,
        clear_untrusted_proxy_headers=True,
    )


def watch(root: Path, on_change: Callable[[], None], interval: float = 1.0, stop: threading.Event | None = None) -> None:
    """Poll the corpus folder's files (name, size, mtime) and call ``on_change`` when they differ.

    An exception in ``on_change`` is reported and the watch goes on, so the next good edit is rebuilt.
    """

    def snapshot() -> tuple:
        files = case_files(root) + sorted(root.glob("*.yml")) + sorted((root / "collections").glob("*.yml"))
        out = []
        for p in files:
            try:
                st = p.stat()
            except OSError:
                continue
            out.append((str(p), st.st_size, st.st_mtime_ns))
        return tuple(out)

    last = snapshot()
    while not (stop and stop.is_set()):
        time.sleep(interval)
        now = snapshot()
        if now != last:
            last = now
            try:
                on_change()
            except Exception as exc:  # noqa: BLE001 - a bad edit must not end the watch
                os.write(2, f"rebuild failed ({type(exc).__name__}: {exc}); still serving the last good site\n".encode())
