"""Client-side search index (the only module importing pagefind).

Pagefind reads the built HTML: case pages mark their content with
``data-pagefind-body`` and their facets with ``data-pagefind-filter``, so
only case pages are indexed. Each language gets its own bundles (index,
WebAssembly and the Default UI's JS/CSS): ``pagefind/`` for the Indonesian
pages, ``en/pagefind/`` for the English ones, so the site needs no server and
no CDN, and each search page loads only its own language.

Pagefind holds everything it indexes in memory (3.9 GB for the 20,000 case
pages of a 10,000-case site), so it runs once per language and, past
``SEARCH_SHARD_PAGES`` case pages, once per shard of a language, one run after
the other: the peak is that of the largest run. A shard is a folder of hard
links to its case pages, at the same paths, so the bundle's URLs are the
site's. The search page searches a language's shards together
(site/static/search.js).

The binary that ``pagefind[bin]`` installs is run as a command, not through
the package's Python service: the service shares the binary's stdout between
its protocol and its log messages, and stops the binary right after asking it
to write, which on a busy machine left the bundle half written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jipp_kb.errors import JippError
from jipp_kb.render.publish import link_or_copy
from jipp_kb.render.urls import LANGS, SEARCH_BUNDLE, Urls, search_bundle_names


CASE_PAGES = "kasus/*/index.html"
"""The only pages Pagefind indexes (``data-pagefind-body``), under a language's root: not the ~4,000 list pages of a 10,000-case site."""
_STAGE = ".pagefind-shard-"
"""Prefix of the temporary folder holding one shard's case pages, inside the site folder."""


class SearchIndexError(JippError, RuntimeError):
    pass


@dataclass(frozen=True)
class SearchIndexStats:
    pages: int
    """Pages indexed, summed over the languages and their shards."""
    files: int
    bundles: int
    """Pagefind bundles: one per language, more for a language split into shards."""


def index_site(site_dir: Path) -> SearchIndexStats:
    """(Re)build every search bundle of ``site_dir`` from scratch; a stale bundle would keep deleted pages findable."""
    remove_bundles(site_dir)
    exe = _executable()
    for lang in LANGS:
        root = site_dir / Urls.prefix(lang)
        pages = sorted(root.glob(CASE_PAGES))
        names = search_bundle_names(len(pages))
        for name, shard in zip(names, shards(pages, len(names)), strict=True):
            with tempfile.TemporaryDirectory(prefix=_STAGE, dir=site_dir) as stage:
                for page in shard:
                    copy = Path(stage) / page.relative_to(root)
                    copy.parent.mkdir(parents=True)
                    link_or_copy(str(page), str(copy))
                _run(exe, Path(stage), root / name)
    stats = bundle_stats(site_dir)
    if stats is None:
        raise SearchIndexError("Pagefind wrote no usable index (pagefind/pagefind-entry.json)")
    return stats


def shards(pages: list[Path], count: int) -> list[list[Path]]:
    """``pages`` (``…/kasus/<id>/index.html``) dealt into ``count`` shards by a hash of the case id.

    Pagefind ranks with each shard's own word statistics, so a shard must be a
    fair sample of the library, not a run of similar ids; the hash also keeps
    the split the same from build to build.
    """
    ordered = sorted(pages, key=lambda page: hashlib.sha256(page.parent.name.encode()).hexdigest())
    return [ordered[k::count] for k in range(count)]


def _executable() -> Path:
    """The Pagefind binary; imported here, as a build without search needs no Pagefind (only ``remove_bundles``)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        exe = None
    else:
        exe = get_executable()
    if exe is None:
        raise SearchIndexError("Pagefind is not installed (pip install 'pagefind[bin]')")
    return Path(exe)


def _run(exe: Path, site: Path, bundle: Path) -> None:
    command = [str(exe), "--site", str(site), "--output-path", str(bundle), "--glob", CASE_PAGES, "--silent"]
    try:
        run = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SearchIndexError(f"cannot run Pagefind ({exe}): {exc}") from None
    if run.returncode != 0:
        raise SearchIndexError(f"Pagefind failed (exit {run.returncode}): {(run.stderr or run.stdout).strip()[-2000:]}")


def _bundles(site_dir: Path) -> list[Path]:
    """The search bundles present, of every language, first shards first."""
    found = []
    for lang in LANGS:
        root = site_dir / Urls.prefix(lang)
        found += [root / SEARCH_BUNDLE, *sorted(root.glob(f"{SEARCH_BUNDLE}-[0-9]*"))]
    return [bundle for bundle in found if bundle.is_dir()]


def remove_bundles(site_dir: Path) -> None:
    """Delete every search bundle (and the shard folder of a killed run), as a build without search must."""
    for folder in _bundles(site_dir) + sorted(site_dir.glob(_STAGE + "*")):
        shutil.rmtree(folder)


def bundle_stats(site_dir: Path) -> SearchIndexStats | None:
    """What the existing bundles index, or None unless every language has a usable one."""
    bundles = _bundles(site_dir)
    if {bundle.parent for bundle in bundles if bundle.name == SEARCH_BUNDLE} != {site_dir / Urls.prefix(lang) for lang in LANGS}:
        return None
    pages = files = 0
    for bundle in bundles:
        try:
            entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
            pages += sum(lang.get("page_count", 0) for lang in entry.get("languages", {}).values())
        except (OSError, ValueError, AttributeError):
            return None
        files += sum(1 for p in bundle.rglob("*") if p.is_file())
    return SearchIndexStats(pages, files, len(bundles))
