"""``jipp-kb index``: bring the keyword and embedding indexes up to date, in order."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click

from jipp_kb import keyword, store
from jipp_kb.analysis import Analysis
from jipp_kb.config import Config
from jipp_kb.corpus import Corpus


@dataclass
class IndexSummary:
    keyword: keyword.IndexReport
    vectors: object | None


def glossary_dicts(corpus: Corpus) -> list[dict]:
    return [e.model_dump(exclude_none=True) for e in corpus.glossary]


def index_corpus(
    corpus: Corpus, config: Config, rebuild: bool = False, semantic: bool = True, quiet: bool = False, analysis: Analysis = Analysis()
) -> IndexSummary:
    """Keyword index first (fast, always), then the vectors (slow, only what changed)."""
    root = config.resolve(config.index_dir)
    cases = corpus.sorted_cases()
    with store.write_lock(root, notify=lambda m: click.echo(m, err=True)):
        store.remove_leftovers(root)
        with _bar(quiet, len(cases), "keyword index") as bar:
            kw = keyword.build(root, cases, glossary_dicts(corpus), analysis, rebuild=rebuild, progress=bar, engine=config.keyword_engine)
        vec = None
        if semantic:
            from jipp_kb import vectors

            with _counter(quiet, "embedding") as tick:
                vec = vectors.build(root, cases, config.model, progress=tick)
    return IndexSummary(kw, vec)


@contextmanager
def _bar(quiet: bool, length: int, label: str) -> Iterator:
    if quiet or length < 50:
        yield None
        return

    def wrap(items):
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    yield wrap


@contextmanager
def _counter(quiet: bool, label: str) -> Iterator:
    """A progress-bar factory for the chunks to embed; the bar opens once their number is known."""
    bars: list = []

    def start(total: int):
        if quiet:
            return None
        bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
        bars.append(bar.__enter__())
        return bar.update

    try:
        yield start
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
