"""Choosing a learning pack's cases: a collection, a list of ids, or the top hits of a search."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from jipp_kb.config import Config
from jipp_kb.errors import JippError, NoIndex
from jipp_kb.corpus import Corpus


class PackError(JippError, ValueError):
    """Bad input or an unwritable folder; the message is one line that says what to do."""


@dataclass
class Selection:
    """The cases of a pack, and what their origin says about the pack (title, audience, folder)."""

    case_ids: list[str]
    name: str | None = None
    """Default folder name (the collection id)."""
    title: str | None = None
    audience: str | None = None
    description: str = ""
    skipped: list[str] = field(default_factory=list)
    """Ids the collection lists that are not valid cases now (reported, not fatal)."""


def from_collection(corpus: Corpus, collection_id: str, lang: str = "id") -> Selection:
    collection = corpus.collections.get(collection_id)
    if collection is None:
        valid = ", ".join(sorted(corpus.collections)) or "none (corpus/collections/ is empty)"
        raise PackError(f"unknown collection '{collection_id}'{did_you_mean(collection_id, corpus.collections)}; valid: {valid}")
    ids = [cid for cid in collection.cases if cid in corpus.cases]
    if not ids:
        raise PackError(f"collection '{collection_id}' has no valid case (run jipp-kb check)")
    english = lang == "en"
    return Selection(
        ids,
        collection_id,
        (collection.title_en if english else None) or collection.title,
        collection.audience,
        (collection.description_en if english else None) or collection.description,
        [cid for cid in collection.cases if cid not in corpus.cases],
    )


def from_ids(corpus: Corpus, ids: Iterable[str]) -> Selection:
    wanted = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if not wanted:
        raise PackError("no case ids given; write them comma-separated, e.g. --cases gebrakan-susi,anc-hipnoterapi")
    for cid in wanted:
        if cid not in corpus.cases:
            raise PackError(f"unknown case id '{cid}'{did_you_mean(cid, corpus.cases)}")
    return Selection(wanted)


def from_query(corpus: Corpus, config: Config, query: str, filters: dict, limit: int, profiles: bool = False) -> Selection:
    """The top hits for ``query`` with ``filters`` (canonical names): full case studies only, unless ``profiles``.

    The default search mode when an embedding index exists, keyword search otherwise.
    """
    from jipp_kb.search import DEFAULT_MODE, Searcher

    index = config.resolve(config.index_dir)
    try:
        searcher = Searcher(index, config.model)
    except NoIndex:
        raise PackError(f"no search index in {index}; build it with: jipp-kb index --keyword-only") from None
    try:
        try:
            searcher.vectors  # noqa: B018 - is there an embedding index?
            mode = DEFAULT_MODE
        except NoIndex:
            mode = "keyword"
        response = searcher.search(query, mode=mode, filters=filters, limit=limit * 4)
    finally:
        searcher.close()
    ids = [r.id for r in response.results if r.id in corpus.cases and (profiles or corpus.cases[r.id].meta.depth != "profil")][:limit]
    if not ids:
        narrowed = " with these filters" if filters else ""
        raise PackError(f"no case matches '{query}'{narrowed}; try other words or fewer filters")
    return Selection(ids)


def did_you_mean(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
