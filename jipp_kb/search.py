"""Search: keyword, semantic and hybrid, with the same filters on both sides.

Hybrid ranking fuses the keyword and embedding rankings, either by a
weighted sum of min-max normalised scores or by reciprocal rank fusion (RRF).
The default mode and settings are the best measured on the tune half of the
judged queries (``jipp-kb eval``; numbers in docs/search.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import functools
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from jipp_kb.errors import JippError, NoIndex, UnknownCase
from jipp_kb import vocab
from jipp_kb.keyword import KeywordIndex, multi_values
from jipp_kb.understand import Understood, understand

if TYPE_CHECKING:
    import numpy as np

MODES = ("keyword", "semantic", "hybrid")
FUSIONS = ("rrf", "weighted")
DEFAULT_MODE = "hybrid"
DEFAULT_FUSION = "weighted"
DEFAULT_ALPHA = 0.7
"""Weight of the keyword side in weighted fusion: best on the tune half of the judged queries (docs/search.md)."""
DEFAULT_FLOOR = 0.15
"""A result scoring below this share of the best result's score is not shown (the relevance floor)."""
PREFERENCE = 1.0
"""Added to a result's score (the best result scores 1) for each preference the query states: urusan, place, replication."""
RRF_K = 20
"""RRF's rank offset: 20 was best on the tune half among 5, 10, 20, 30, 60 and 100 (docs/search.md)."""
DEPTH = 100
MAX_QUERY_CHARS = 300
"""Longer queries are refused: no official's problem needs more, and a long OR query costs seconds."""


class QueryError(JippError, ValueError):
    """A query the engines cannot take (empty, too long); the message says what to do."""


@dataclass
class Result:
    id: str
    title: str
    region: str
    score: float
    snippet: str
    section: str | None = None
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    year: int | None = None
    awards: list[str] = field(default_factory=list)
    depth: str = "studi kasus"
    reason: str | None = None
    """Why a similar case is similar (shared urusan, matching section)."""


@dataclass
class Response:
    query: str
    mode: str
    results: list[Result]
    total: int
    facets: dict = field(default_factory=dict)
    suggestion: str | None = None
    expanded: list[str] = field(default_factory=list)
    applied: list[dict] = field(default_factory=list)
    """Filters read from the query's words ([{filter, value, words}]); the user can switch them off."""
    relaxed: bool = False
    """True when the filters read from the query matched nothing and were dropped."""
    hidden: int = 0
    """Weak matches below the relevance floor, not shown."""
    complete: bool = True
    """False when the keyword side hit its time budget and returned the best found so far."""

    def to_dict(self) -> dict:
        return asdict(self)


CURLY_QUOTES = str.maketrans(dict.fromkeys("“”„‟″", '"'))
"""A phone keyboard's quotation marks (iOS writes “ and ” for "): a phrase is a phrase either way."""


def clean_query(text: str) -> str:
    """Whitespace collapsed, control characters dropped, curly quotes straight; an empty or over-long query is a :class:`QueryError`."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split()).translate(CURLY_QUOTES)
    if not text:
        raise QueryError("the query is empty; describe the problem in a few words, e.g. 'antrean puskesmas'")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query has {len(text)} characters; at most {MAX_QUERY_CHARS} — describe the problem in fewer words")
    return text


class Searcher:
    """Open indexes once (the server keeps one per thread); the vector side loads on first use."""

    def __init__(self, index_dir: Path, model: str, use_glossary: bool = True, vectors: Callable[[], object] | None = None) -> None:
        """``vectors`` hands out an embedding index shared with other searchers (the server's threads)."""
        self.index_dir = index_dir
        self.model = model
        self.keyword = KeywordIndex(index_dir, use_glossary=use_glossary)
        self._shared_vectors = vectors
        self._vectors = None

    @property
    def vectors(self):
        if self._vectors is None:
            from jipp_kb.vectors import VectorIndex

            self._vectors = self._shared_vectors() if self._shared_vectors else VectorIndex(self.index_dir, self.model)
        return self._vectors

    def close(self) -> None:
        self.keyword.close()

    def search(
        self,
        text: str,
        mode: str = DEFAULT_MODE,
        filters: dict | None = None,
        limit: int = 10,
        facets: bool = False,
        fusion: str = DEFAULT_FUSION,
        alpha: float = DEFAULT_ALPHA,
        infer: bool = True,
        floor: float = DEFAULT_FLOOR,
        snippets: bool = True,
        preference: float = PREFERENCE,
        meaning: np.ndarray | None = None,
        prefer_urusan: Sequence[str] = (),
    ) -> Response:
        """Search in ``mode``; with ``infer``, places and awards named in the query become filters and urusan a preference.

        ``snippets=False`` skips the highlighted passages, the slow part (eval needs only the ranking).
        ``meaning`` is searched by the embedding side instead of the text's own embedding (a complaint
        theme asks with the mean of its complaints); ``prefer_urusan`` adds urusan preferences to those
        the words name.
        """
        if mode not in MODES:
            raise QueryError(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        text = clean_query(text)
        asked = understand(text) if infer else Understood(text)
        asked.prefer_urusan += [name for name in prefer_urusan if name not in asked.prefer_urusan]
        filters = dict(filters or {})
        inferred = {k: v for k, v in asked.filters.items() if k not in filters}
        applied = [a for a in asked.applied if a["filter"] in inferred]
        settings = dict(mode=mode, limit=limit, facets=facets, fusion=fusion, alpha=alpha, snippets=snippets)
        run = functools.partial(self._run, asked, preference=preference, meaning=meaning, **settings)
        listing = asked.listing and inferred  # every case the filters keep is what was asked for: no floor
        response, matched = run({**filters, **inferred}, floor=0.0 if listing else floor)
        if inferred and not (response.results and (matched or listing)):
            # The words match nothing within the place or award they name ("malaria di jawa timur"; the embedding
            # side always finds something): the filters are dropped, unless the words match nothing anywhere either.
            relaxed, anywhere = run(filters, floor=floor)
            if anywhere or (relaxed.results and not response.results):
                response = relaxed
                response.relaxed = True
        response.query, response.applied = text, applied
        return response

    def _run(
        self,
        asked: Understood,
        filters: dict,
        mode: str,
        limit: int,
        facets: bool,
        fusion: str,
        alpha: float,
        floor: float,
        snippets: bool,
        preference: float,
        meaning: np.ndarray | None,
    ) -> tuple[Response, int]:
        """The response, and how many cases the words matched on the keyword side (within the filters)."""
        text = asked.text
        if mode == "semantic":  # the keyword side only for facets and spelling; its ranking is not used
            kw = self.keyword.search(text, filters, limit=1, facets=facets)
        else:
            kw = self.keyword.search(text, filters, limit=max(limit, DEPTH), facets=facets)
        keyword_ranking = [(h.id, h.score) for h in kw.hits]
        sem = []
        if mode != "keyword":
            allowed = self.keyword.matching_ids(filters) if filters else None
            if meaning is not None:
                sem = self.vectors.search_vector(meaning, allowed, DEPTH)
            else:
                sem = self.vectors.search(kw.suggestion or text, allowed, DEPTH)  # a typo would mislead the embedding
        if mode == "hybrid" and meaning is None and not kw.total and not asked.listing:
            sem = []  # no word matches any case: alone, the embedding side lists the "nearest" cases to anything, nonsense too
        if mode == "keyword":
            ranked = _normalised(keyword_ranking)
        elif mode == "semantic":
            ranked = _normalised([(m.case, m.score) for m in sem])
        else:
            ranked = _normalised(fuse(keyword_ranking, [(m.case, m.score) for m in sem], fusion, alpha))
        stored = functools.cache(lambda cid: self.keyword.stored(cid) or {})  # read once per case, by _prefer and below
        if asked.listing and asked.prefer_replicated:
            # "sudah direplikasi daerah lain": every replicated case, not only those the words found
            found = {cid for cid, _ in ranked}
            ranked = ranked + [(cid, 0.0) for cid in sorted(self.keyword.replicated_ids(filters) - found)]
        ranked = _prefer(ranked, asked, preference, stored)
        hidden = 0
        if floor and ranked:
            kept = [(cid, s) for cid, s in ranked if s >= floor * ranked[0][1]]
            hidden, ranked = len(ranked) - len(kept), kept
        kw_hits = {h.id: (i + 1, h) for i, h in enumerate(kw.hits)}
        sem_hits = {m.case: (i + 1, m) for i, m in enumerate(sem)}
        results = []
        for cid, score in ranked[:limit]:
            kw_rank, hit = kw_hits.get(cid, (None, None)) if mode != "semantic" else (None, None)
            sem_rank, match = sem_hits.get(cid, (None, None))
            snippet = "" if not snippets else hit.snippet if hit else escape(_trim(match.text)) if match else ""
            section = match.section if match else None
            results.append(_result(cid, stored(cid), score, snippet, section, keyword_rank=kw_rank, semantic_rank=sem_rank))
        total = len(ranked) if mode != "keyword" else max(kw.total - hidden, len(ranked))
        response = Response(asked.text, mode, results, total, kw.facets, kw.suggestion, kw.expanded, hidden=hidden, complete=kw.complete)
        return response, kw.total

    def similar(self, case_id: str, limit: int = 5) -> list[Result]:
        """Nearest cases — key-term overlap fused with embedding closeness — each with why (in ``section``)."""
        vector = self.vectors.case_vector(case_id)
        me = self.keyword.stored(case_id)
        if vector is None or me is None:
            raise UnknownCase(f"no indexed case with id '{case_id}'")
        mine = set(multi_values(me["urusan"]))
        semantic = self.vectors.search_vector(vector, limit=DEPTH, exclude=case_id)
        sections = {m.case: m.section for m in semantic}
        ranked = fuse(self.keyword.more_like(case_id, DEPTH), [(m.case, m.score) for m in semantic])
        out = []
        for cid, score in ranked[:limit]:
            other = self.keyword.stored(cid) or {}
            shared = sorted(mine & set(multi_values(other.get("urusan"))))
            out.append(_result(cid, other, score, "", sections.get(cid), reason=_reason(shared, sections.get(cid, ""))))
        return out


def _prefer(ranked: list[tuple[str, float]], asked: Understood, weight: float, stored: Callable[[str], dict]) -> list[tuple[str, float]]:
    """Raise the cases that have what the query prefers: its urusan, a place named in one word, replicas."""
    if not (asked.prefer_urusan or asked.prefer_regency or asked.prefer_replicated):
        return ranked
    wanted_urusan, wanted_regency = set(asked.prefer_urusan), set(asked.prefer_regency)
    out = []
    for cid, score in ranked:
        fields = stored(cid)
        bonus = weight * bool(wanted_urusan & set(multi_values(fields.get("urusan"))))
        bonus += weight * (fields.get("regency") in wanted_regency)
        bonus += weight * (asked.prefer_replicated and bool(fields.get("replicated")))
        out.append((cid, score + bonus))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def _result(cid: str, fields: dict, score: float, snippet: str, section: str | None, **extra) -> Result:
    """A result from the keyword index's stored fields: one place for what a result shows of its case."""
    title, region, year = fields.get("title", cid), fields.get("region", ""), fields.get("year") or None
    depth = fields.get("depth", "studi kasus")
    return Result(cid, title, region, round(score, 4), snippet, section, year=year, awards=_awards(fields), depth=depth, **extra)


def _awards(stored: dict) -> list[str]:
    """Awards with their tier as a reader sees them ("KIPP Top 45"); the index also holds bare names, for filtering."""
    names = set(vocab.awards())
    out = []
    for value in multi_values(stored.get("award")):
        if value not in names:
            out.append(value.removeprefix("Lainnya "))  # "Lainnya" carries a free-text tier
    return out


def _reason(shared: list[str], section: str) -> str:
    parts = [f"urusan sama: {', '.join(shared)}"] if shared else []
    parts.append(f"bagian serupa: {section}")
    return "; ".join(parts)


def _trim(text: str, n: int = 240) -> str:
    text = text.split("\n", 1)[-1]
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " …"


def fuse(
    keyword: list[tuple[str, float]], semantic: list[tuple[str, float]], fusion: str = DEFAULT_FUSION, alpha: float = DEFAULT_ALPHA
) -> list[tuple[str, float]]:
    """Combine two rankings; ties break by id so the order is deterministic."""
    scores: dict[str, float] = {}
    if fusion == "rrf":
        for ranking in (keyword, semantic):
            for rank, (cid, _) in enumerate(ranking, 1):
                scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + rank)
    elif fusion == "weighted":
        for weight, ranking in ((alpha, keyword), (1 - alpha, semantic)):
            for cid, norm in _minmax(ranking).items():
                scores[cid] = scores.get(cid, 0.0) + weight * norm
    else:
        raise ValueError(f"unknown fusion '{fusion}'; use one of {', '.join(FUSIONS)}")
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _normalised(ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Scores divided by the best, so preferences and the floor work alike in every mode."""
    top = max((sc for _, sc in ranking), default=0.0) or 1.0
    return [(cid, sc / top) for cid, sc in ranking]


def _minmax(ranking: list[tuple[str, float]]) -> dict[str, float]:
    if not ranking:
        return {}
    values = [s for _, s in ranking]
    lo, hi = min(values), max(values)
    return {cid: (s - lo) / (hi - lo) if hi > lo else 1.0 for cid, s in ranking}


def similar_map(corpus, config, limit: int = 5) -> dict[str, list[tuple[str, str]]]:
    """case id → [(similar id, reason)] for the site's "Inovasi serupa"; {} without an index."""
    try:
        searcher = Searcher(config.resolve(config.index_dir), config.model)
        searcher.vectors  # noqa: B018 - fail here, once, when there is no embedding index
    except NoIndex:
        return {}
    out = {}
    for cid in sorted(corpus.cases):
        try:
            out[cid] = [(s.id, s.reason) for s in searcher.similar(cid, limit) if s.id in corpus.cases]
        except KeyError:  # not indexed yet: the site simply shows no neighbours
            continue
    searcher.close()
    return out
