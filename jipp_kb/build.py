"""The build order, in one place: corpus → indexes → learning packs → pages.

``jipp-kb build``, ``make site`` (check, index, build) and the rebuild of
``serve --watch`` all go through here, so they cannot drift apart. Packs and
pages are written into one staged copy of the site, which replaces the
published one at once (render/publish.py): a reader never sees a collection
page linking a pack that is not there yet, and a failed build leaves the last
good site in place.
"""

from __future__ import annotations

from pathlib import Path

from jipp_kb.config import Config
from jipp_kb.corpus import Corpus, load_corpus
from jipp_kb.progress import Progress
from jipp_kb.render.site import BuildResult


def similar_cases(corpus: Corpus, config: Config) -> dict[str, list[tuple[str, str]]]:
    """'Inovasi serupa' for the case pages: {} without the search extra or an embedding index."""
    from jipp_kb.extras import missing

    if missing("search"):
        return {}
    from jipp_kb.search import similar_map

    return similar_map(corpus, config)


def render(
    corpus: Corpus,
    config: Config,
    similar: dict[str, list[tuple[str, str]]],
    output: Path | None = None,
    *,
    search: bool = True,
    packs: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Packs, then pages (whose collection pages link the packs) and the pack page's fragments, published together; one build at a time."""
    from jipp_kb.pack import build_packs
    from jipp_kb.pack.fragments import write_fragments
    from jipp_kb.render.publish import site_lock
    from jipp_kb.render.site import build_site

    site = output or config.resolve(config.site_dir)
    write_packs = (lambda folder: build_packs(corpus, config, folder, progress=progress)) if packs else None
    fragments = (lambda writer: write_fragments(corpus, config, writer)) if packs else None
    with site_lock(site):
        return build_site(corpus, config, similar, output=site, search=search, progress=progress, packs=write_packs, fragments=fragments)


def rebuild(corpus_root: Path, config: Config, output: Path | None = None) -> Corpus:
    """What ``serve --watch`` runs on a change: index what changed, then render as ``jipp-kb build``.

    Invalid files are left out (``check`` reports them). An exception leaves
    the published site and the indexes as they were: both are replaced only
    when complete.
    """
    from jipp_kb.indexer import index_corpus

    corpus = load_corpus(corpus_root)
    index_corpus(corpus, config, quiet=True)
    render(corpus, config, similar_cases(corpus, config), output)
    return corpus
