"""Client-side search index (the only module importing pagefind).

Pagefind reads the built HTML: case pages mark their content with
``data-pagefind-body`` and their facets with ``data-pagefind-filter``, so
only case pages are indexed, one index per ``<html lang>``. The bundle
(index, WebAssembly and the Default UI's JS/CSS) lands in ``pagefind/`` of
the output, so the site needs no server and no CDN.

The binary that ``pagefind[bin]`` installs is run as a command, not through
the package's Python service: the service shares the binary's stdout between
its protocol and its log messages, and stops the binary right after asking it
to write, which on a busy machine left the bundle half written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pagefind.service import get_executable

from jipp_kb.errors import JippError
from jipp_kb.render.urls import SEARCH_BUNDLE


CASE_PAGES = "**/kasus/*/index.html"
"""The only pages Pagefind indexes (``data-pagefind-body``): it need not read the ~4,000 list pages of a 10,000-case site."""


class SearchIndexError(JippError, RuntimeError):
    pass


@dataclass(frozen=True)
class SearchIndexStats:
    pages: int
    """Pages indexed, summed over the languages."""
    files: int


def index_site(site_dir: Path) -> SearchIndexStats:
    """(Re)build ``<site_dir>/pagefind/`` from scratch; a stale bundle would keep deleted pages findable."""
    bundle = site_dir / SEARCH_BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    exe = get_executable()
    if exe is None:
        raise SearchIndexError("Pagefind is not installed (pip install 'pagefind[bin]')")
    command = [str(exe), "--site", str(site_dir), "--output-subdir", SEARCH_BUNDLE, "--glob", CASE_PAGES, "--silent"]
    try:
        run = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SearchIndexError(f"cannot run Pagefind ({exe}): {exc}") from None
    if run.returncode != 0:
        raise SearchIndexError(f"Pagefind failed (exit {run.returncode}): {(run.stderr or run.stdout).strip()[-2000:]}")
    stats = bundle_stats(site_dir)
    if stats is None:
        raise SearchIndexError("Pagefind wrote no usable index (pagefind/pagefind-entry.json)")
    return stats


def bundle_stats(site_dir: Path) -> SearchIndexStats | None:
    """What the existing bundle indexes, or None if there is no usable bundle."""
    bundle = site_dir / SEARCH_BUNDLE
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages = sum(lang.get("page_count", 0) for lang in entry.get("languages", {}).values())
    except (OSError, ValueError, AttributeError):
        return None
    return SearchIndexStats(pages, sum(1 for p in bundle.rglob("*") if p.is_file()))
