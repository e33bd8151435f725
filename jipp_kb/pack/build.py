"""Learning packs: one folder per workshop with everything a facilitator prints or edits.

A pack is made for a handful of cases (``select``). Every document
(``documents``) is an HTML page and its PDF: the full handout, a short
handout (at most two pages a case), the comparison matrix (also CSV), the
discussion questions (per case and across the cases), a half-day and a
full-day agenda, the follow-up plan (RTL) template and an evaluation form;
``pack.md`` holds the text for editing and ``pack.zip`` all of it. This
module writes them, lays out the PDFs, and builds every collection's pack
for the site.

Same input, same bytes: the date on the cover is the newest ``last_reviewed``
of the cases unless given, every PDF and the ZIP carry that date, and files
whose bytes did not change are not rewritten. The PDFs are the slow part, so
each is laid out again only when its HTML changed (``PdfCache``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path

from jipp_kb.config import Config
from jipp_kb.corpus import Corpus
from jipp_kb.pack.documents import DOCUMENTS, FILES, LANGS, PackSpec, assemble, document_html, make_spec, matrix_csv, pack_md, pack_zip
from jipp_kb.pack.select import PackError, from_collection
from jipp_kb.progress import Progress
from jipp_kb.render.site import store
from jipp_kb.render.urls import Urls

OLD_FILES = ("discussion.md", "agenda.md")
"""Files earlier versions wrote (the questions and agenda are HTML and PDF now): removed from the site's pack folders."""


# -- writing ------------------------------------------------------------------------------


@cache
def _weasyprint_version() -> str:
    """Read once: looking a distribution up costs milliseconds, and the cache asks for every PDF."""
    return metadata.version("weasyprint")


class PdfCache:
    """PDFs already laid out, by the hash of their HTML: rebuilding an unchanged pack skips WeasyPrint.

    An entry is trusted only while the PDF file on disk still has the bytes it recorded. Under a
    ``root`` (the site being built) entries are keyed by the path inside it: a site build writes into
    a staged copy whose folder name changes every time (render/publish.py), so absolute paths never
    matched again and every PDF was laid out on every build.
    """

    def __init__(self, path: Path | None, root: Path | None = None) -> None:
        self.path = path
        self.root = root.resolve() if root else None
        self.entries: dict[str, dict] = {}
        self.changed = False
        if path and path.exists():
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
                self.entries = data if isinstance(data, dict) else {}

    @staticmethod
    def key(html: str) -> str:
        return hashlib.sha256(f"weasyprint {_weasyprint_version()}\0{html}".encode()).hexdigest()

    def pages(self, target: Path, html: str) -> int | None:
        entry = self.entries.get(self._name(target))
        if not isinstance(entry, dict) or entry.get("html") != self.key(html) or not isinstance(entry.get("pages"), int):
            return None
        try:
            if hashlib.sha256(target.read_bytes()).hexdigest() != entry.get("pdf"):
                return None
        except OSError:
            return None
        return entry["pages"]

    def record(self, target: Path, html: str, data: bytes, pages: int) -> None:
        self.entries[self._name(target)] = {"html": self.key(html), "pdf": hashlib.sha256(data).hexdigest(), "pages": pages}
        self.changed = True

    def _name(self, target: Path) -> str:
        resolved = target.resolve()
        if self.root and resolved.is_relative_to(self.root):
            return "site:" + resolved.relative_to(self.root).as_posix()
        return str(resolved)

    def _exists(self, name: str) -> bool:
        if name.startswith("site:"):
            return self.root is None or (self.root / name.removeprefix("site:")).is_file()
        return Path(name).is_file()

    def save(self) -> None:
        """Best effort: without the cache the next build only takes longer."""
        if self.path and self.changed:
            self.entries = {k: v for k, v in self.entries.items() if self._exists(k)}  # forget deleted packs
            with contextlib.suppress(OSError):
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.entries, indent=0, sort_keys=True), encoding="utf-8")


@dataclass
class PackResult:
    output: Path
    files: dict[str, Path]
    pages: int | None
    """Pages of handout.pdf (None when no PDF was made)."""
    pdf_reused: bool = False
    """Every PDF was still up to date (none laid out again)."""
    seconds: float = 0.0
    pdf_pages: dict[str, int] = field(default_factory=dict)
    """Pages of each PDF, by file name."""


def prepare_output(output: Path) -> None:
    """Create the folder and prove it is writable before any slow work."""
    probe = output / ".jipp-kb-write-test"
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PackError(f"cannot write to {output}: {exc.strerror or exc}") from None


def _write(target: Path, data: bytes) -> None:
    try:
        store(target, data)
    except OSError as exc:
        raise PackError(f"cannot write to {target.parent}: {exc.strerror or exc}") from None


def write_texts(corpus: Corpus, spec: PackSpec, output: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Write every file but the PDFs and the ZIP (fast); returns them, and the HTML each PDF is laid out from, by PDF name."""
    prepare_output(output)
    pack = assemble(corpus, spec)
    htmls = {f"{doc.replace('_', '-')}.pdf": document_html(pack, doc) for doc in DOCUMENTS}
    texts: dict[str, bytes] = {name.removesuffix(".pdf") + ".html": html.encode("utf-8") for name, html in htmls.items()}
    texts |= {"matrix.csv": matrix_csv(pack), "pack.md": pack_md(pack).encode("utf-8")}
    for name, data in texts.items():
        _write(output / name, data)
    return {name: output / name for name in texts}, htmls


def write_zip(output: Path, files: dict[str, Path], day: date) -> Path:
    """``pack.zip`` of the files written, under a folder named like the pack's."""
    try:
        data = {name: path.read_bytes() for name, path in files.items() if name != "pack.zip"}
    except OSError as exc:
        raise PackError(f"cannot read {exc.filename}: {exc.strerror or exc}") from None
    target = output / "pack.zip"
    _write(target, pack_zip(data, output.name or "pack", day))
    return target


def layout_pdf(html: str, report: Callable[[str], None] | None = None) -> tuple[bytes, int]:
    try:
        from jipp_kb.render.pdf import html_to_pdf
    except OSError as exc:  # WeasyPrint loads Pango and HarfBuzz when imported
        raise PackError(
            f"WeasyPrint cannot load its system libraries ({exc}); install Pango "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0) or use --no-pdf"
        ) from None

    # Every document inlines everything it needs, so no base URL is needed to resolve anything.
    return html_to_pdf(html, "about:blank", report)


def _ordered(files: dict[str, Path]) -> dict[str, Path]:
    return {name: files[name] for name in FILES if name in files}


@dataclass
class PdfJob:
    target: Path
    html: str


def _pdf_jobs(folder: Path, htmls: dict[str, str], pdf_cache: PdfCache | None, pages: dict[str, int]) -> list[PdfJob]:
    """The PDFs of one pack whose HTML changed since they were laid out; ``pages`` gets the page counts of the others."""
    jobs = []
    for name, html in htmls.items():
        target = folder / name
        known = pdf_cache.pages(target, html) if pdf_cache else None
        if known is None:
            jobs.append(PdfJob(target, html))
        else:
            pages[name] = known
    return jobs


def _lay_out(jobs: list[PdfJob], pdf_cache: PdfCache | None, workers: int | None, pages: dict[Path, int], done=None) -> None:
    """Lay out and write ``jobs``, largest first so the parallel workers finish together."""
    ordered = sorted(jobs, key=lambda j: -len(j.html))
    for job, (data, n) in zip(ordered, _layout_all([j.html for j in ordered], workers)):
        _write(job.target, data)
        if pdf_cache:
            pdf_cache.record(job.target, job.html, data, n)
        pages[job.target] = n
        if done:
            done(job)


def build_pack(
    corpus: Corpus,
    spec: PackSpec,
    output: Path,
    *,
    pdf: bool = True,
    report: Callable[[str], None] | None = None,
    pdf_cache: PdfCache | None = None,
    workers: int | None = None,
) -> PackResult:
    """Write the pack's files to ``output``; ``report`` receives progress messages."""
    clock = time.perf_counter()
    report = report or (lambda message: None)
    report(f"{len(spec.case_ids)} cases: handouts, matrix, questions, agenda, RTL template, evaluation form")
    files, htmls = write_texts(corpus, spec, output)
    pages: dict[str, int] = {}
    reused = False
    if pdf:
        jobs = _pdf_jobs(output, htmls, pdf_cache, pages)
        reused = not jobs
        if jobs:
            report(f"{len(jobs)} PDF: layout with WeasyPrint")
            laid: dict[Path, int] = {}
            _lay_out(jobs, pdf_cache, workers, laid, lambda job: report(f"{job.target.name} done"))
            pages |= {path.name: n for path, n in laid.items()}
        files |= {name: output / name for name in htmls}
    files["pack.zip"] = write_zip(output, _ordered(files), spec.date)
    pdf_pages = {name: pages[name] for name in FILES if name in pages}
    return PackResult(output, _ordered(files), pages.get("handout.pdf"), reused, time.perf_counter() - clock, pdf_pages)


def pdf_cache_for(config: Config, site: Path | None = None) -> PdfCache:
    """The PDF cache in the index folder; ``site``: the site folder a build writes packs into."""
    return PdfCache(config.resolve(config.index_dir) / "pack-cache.json", site)


# -- the site's packs ---------------------------------------------------------------------


def build_packs(
    corpus: Corpus, config: Config, site_dir: Path, *, progress: Progress | None = None, pdf: bool = True, workers: int | None = None
) -> dict[str, dict[str, str]]:
    """Build every collection's pack into ``site_dir/packs/<collection-id>/``.

    Returns collection id -> {file name: path relative to ``site_dir``}
    (``Urls.pack_file_path``), for the collection pages to link. Packs are in
    the config's language; a collection without valid cases gets no pack.
    Run it before ``build_site``, whose collection pages link the files present.
    Only PDFs whose HTML changed are laid out again, in parallel processes
    when there are several; each pack's ZIP is made once its PDFs are there.
    """
    cache_ = pdf_cache_for(config, site_dir)
    wanted = [cid for cid in sorted(corpus.collections) if any(c in corpus.cases for c in corpus.collections[cid].cases)]
    lang = config.language if config.language in LANGS else "id"
    files: dict[str, dict[str, Path]] = {}
    days: dict[str, date] = {}
    jobs: list[PdfJob] = []
    try:
        with progress(len(wanted), "Learning packs") if progress else contextlib.nullcontext() as bar:
            for cid in wanted:
                selection = from_collection(corpus, cid, lang)
                spec = make_spec(corpus, selection, lang=lang, base_url=config.base_url, theme_dir=config.theme_path())
                folder = site_dir / Urls.pack_file_path(cid, "")
                files[cid], htmls = write_texts(corpus, spec, folder)
                for name in OLD_FILES:  # the site's pack folders are the build's own; a folder given to `pack` is the user's
                    (folder / name).unlink(missing_ok=True)
                days[cid] = spec.date
                if pdf:
                    jobs += _pdf_jobs(folder, htmls, cache_, {})
                    files[cid] |= {name: folder / name for name in htmls}
            waiting = {cid: sum(j.target.parent == site_dir / Urls.pack_file_path(cid, "") for j in jobs) for cid in wanted}

            def finished(job: PdfJob) -> None:
                cid = job.target.parent.name
                waiting[cid] -= 1
                if not waiting[cid]:
                    _zip_done(cid)

            def _zip_done(cid: str) -> None:
                files[cid]["pack.zip"] = write_zip(site_dir / Urls.pack_file_path(cid, ""), _ordered(files[cid]), days[cid])
                if bar is not None:
                    bar.update(1)

            for cid in wanted:
                if not waiting[cid]:
                    _zip_done(cid)
            _lay_out(jobs, cache_, workers, {}, finished)
    finally:
        cache_.save()
    _remove_stale((site_dir / Urls.pack_file_path("_", "")).parent, set(wanted))
    return {cid: {name: Urls.pack_file_path(cid, name) for name in _ordered(files[cid])} for cid in wanted}


def _layout_all(htmls: list[str], workers: int | None) -> Iterator[tuple[bytes, int]]:
    """PDFs in input order; several at once in forked processes (WeasyPrint is single-threaded Python).

    Fork, not spawn: spawn re-imports the caller's main module, which re-runs any script that calls
    ``build_packs`` without a ``__main__`` guard. Without fork (Windows, macOS default) layout is serial.
    """
    workers = min(workers or os.cpu_count() or 1, len(htmls))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(layout_pdf, htmls)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(layout_pdf, htmls)


def _remove_stale(packs: Path, keep: set[str]) -> None:
    """Pack files of collections that no longer exist (only the files a pack writes; other files stay)."""
    for folder in sorted(packs.iterdir()) if packs.is_dir() else []:
        if folder.is_dir() and folder.name not in keep:
            for name in (*FILES, *OLD_FILES):
                (folder / name).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
