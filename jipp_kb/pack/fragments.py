"""Learning packs on demand, from a search: the site's pack page and ``/api/pack``.

From a search result list, "Buat paket belajar" opens ``paket/?kasus=a,b,c``
(``en/paket/`` in English). On a static host the page's script
(``site/static/pack.js``) fetches one JSON fragment per chosen case, written
here at build time (``paket/kasus/<id>.json``, English under ``en/``), and
assembles the printable handout and matrix in the browser: each fragment
holds the full handout's article of the case and its matrix row, made by the
same builder and templates as the packs (``documents.case_fragments``), so
the page shows only what the cases say. ``jipp-kb serve`` answers
``/api/pack?cases=a,b,c&lang=id`` with the same fragments, made in the
request, plus the questions across the chosen cases, which need all of them.

A fragment is rendered again only when its key changed: the case file, who
replicated it (the only thing it shows of other cases), the site's base URL,
the pack theme and this package's code (the site build's ``Writer``).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

from jipp_kb.config import Config
from jipp_kb.corpus import Corpus, replication_links
from jipp_kb.pack import content
from jipp_kb.pack.documents import LANGS, assemble, case_fragments, cross_data, make_spec
from jipp_kb.pack.select import PackError, Selection, did_you_mean
from jipp_kb.render.pages import PACK_MAX_CASES
from jipp_kb.render.site import Writer
from jipp_kb.render.theme import ThemeDirs, ThemeError
from jipp_kb.render.urls import Urls

MAX_CASES = PACK_MAX_CASES
"""Cases in one pack on demand: a half-day workshop discusses a handful; the search page offers its top results up to this."""
CASE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A case id (the file name's slug); anything else is refused before it names a file or a case."""


@cache
def _code_digest() -> str:
    """Fragments depend on the pack code, the Markdown renderer and the libraries that shape the HTML."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")) + [Path(__file__).parent.parent / "render" / "markdown.py"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for dist in ("Jinja2", "Markdown", "nh3"):
        h.update(f"{dist} {metadata.version(dist)}".encode())
    return h.hexdigest()


def _theme_digest(theme_dir: Path | None) -> str:
    try:
        dirs = ThemeDirs.with_override(theme_dir)
    except ThemeError as exc:
        raise PackError(str(exc)) from None
    h = hashlib.sha256(_code_digest().encode())
    for rank, rel, path in dirs.all_files():
        if rel.startswith(("pack/", "i18n/")):  # the pack's templates and strings, and the site's field labels
            h.update(f"{rank} {rel}".encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _encode(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def write_fragments(corpus: Corpus, config: Config, writer: Writer) -> int:
    """Write every case's fragment in both languages through the site build's ``writer``; returns how many were rendered.

    The others are up to date (same key, file still there); the writer removes
    the fragments of deleted cases. Many to render (a cold build, a changed
    theme) are rendered in forked processes, one per CPU.
    """
    urls = Urls.from_base_url(config.base_url)
    settings = [_theme_digest(config.theme_path()), config.base_url]
    titles = {cid: c.meta.title for cid, c in corpus.cases.items()}
    _, both_ways = replication_links(corpus.sorted_cases())
    jobs: list[tuple[str, str, str, str]] = []
    for lang in LANGS:
        for case in corpus.sorted_cases():
            rel = urls.output_file(urls.pack_fragment_path(case.id), lang)
            key = hashlib.sha256(_encode([settings, lang, case.digest, content.replicated_by(case.id, both_ways, titles)])).hexdigest()
            if not writer.up_to_date(rel, key):
                jobs.append((rel, key, case.id, lang))
    for (rel, key, *_), data in zip(jobs, _render_all(corpus, config, [(cid, lang) for *_, cid, lang in jobs]), strict=True):
        writer.write(rel, data, key)
    return len(jobs)


PARALLEL = 64
"""Below this many fragments to render, forking workers costs more than it saves."""
_ACTIVE: tuple[Corpus, Config] | None = None
"""What forked workers render from; set only while a pool runs."""


def _fragment(corpus: Corpus, config: Config, case_id: str, lang: str) -> bytes:
    spec = make_spec(corpus, Selection([case_id]), lang=lang, base_url=config.base_url, theme_dir=config.theme_path())
    return _encode(case_fragments(assemble(corpus, spec))[0])


def _fragment_in_worker(job: tuple[str, str]) -> bytes:
    assert _ACTIVE is not None
    return _fragment(*_ACTIVE, *job)


def _render_all(corpus: Corpus, config: Config, jobs: list[tuple[str, str]]) -> Iterator[bytes]:
    """Fragments in input order; in forked processes when there are many (fork: see ``build._layout_all``)."""
    workers = min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(jobs) < PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_fragment(corpus, config, *job) for job in jobs)
        return
    global _ACTIVE
    _ACTIVE = (corpus, config)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_fragment_in_worker, jobs, chunksize=8)
    finally:
        _ACTIVE = None


def parse_ids(value: str) -> list[str]:
    """Case ids from ``a,b,c``: stripped, without repeats, in the given order; PackError names what is wrong."""
    ids = list(dict.fromkeys(i.strip() for i in value.split(",") if i.strip()))
    if not ids:
        raise PackError("no case ids given; write them comma-separated, e.g. cases=gebrakan-susi,anc-hipnoterapi")
    if len(ids) > MAX_CASES:
        raise PackError(f"{len(ids)} cases; a pack on demand has at most {MAX_CASES}")
    bad = [i for i in ids if not CASE_ID.fullmatch(i)]
    if bad:
        raise PackError(f"'{bad[0][:60]}' is not a case id (lowercase letters, digits and hyphens)")
    return ids


def served_pack(corpus: Corpus, config: Config, ids: list[str], lang: str) -> dict:
    """The pack of ``ids`` for the pack page, made now: every case's fragment and the questions across them.

    Raises PackError for an unknown language or case id (all unknown ids are named, with the nearest).
    """
    if lang not in LANGS:
        raise PackError(f"unknown language '{lang[:20]}'; use id or en")
    unknown = [i for i in ids if i not in corpus.cases]
    if unknown:
        raise PackError("; ".join(f"unknown case id '{i}'{did_you_mean(i, corpus.cases)}" for i in unknown))
    spec = make_spec(corpus, Selection(ids), lang=lang, base_url=config.base_url, theme_dir=config.theme_path())
    pack = assemble(corpus, spec)
    return {"lang": lang, "cases": case_fragments(pack), "cross": cross_data(pack)}
