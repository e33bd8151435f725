"""``jipp-kb index``: bring the keyword and embedding indexes up to date, in order."""

from __future__ import annotations

from dataclasses import dataclass

import click

from jipp_kb import keyword, store
from jipp_kb.analysis import Analysis
from jipp_kb.config import Config
from jipp_kb.corpus import Corpus
from jipp_kb.progress import silent, terminal


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
    meter = silent if quiet else terminal
    with store.write_lock(root, notify=lambda m: click.echo(m, err=True)):
        store.remove_leftovers(root)
        kw = keyword.build(root, cases, glossary_dicts(corpus), analysis, rebuild=rebuild, progress=meter, engine=config.keyword_engine)
        vec = None
        if semantic:
            from jipp_kb import vectors

            vec = vectors.build(root, cases, config.model, progress=meter)
    return IndexSummary(kw, vec)
