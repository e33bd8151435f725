"""Search: keyword, semantic and hybrid, with the same filters on both sides.

Hybrid ranking fuses the keyword and embedding rankings, either by reciprocal
rank fusion (RRF, k=60) or by a weighted sum of min-max normalised scores.
The default mode and weight are the best measured on the judged queries
(``jipp-kb eval``; numbers in docs/search.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path

from jipp_kb.keyword import KeywordIndex, KeywordResults

MODES = ("keyword", "semantic", "hybrid")
FUSIONS = ("rrf", "weighted")
DEFAULT_MODE = "keyword"
DEFAULT_FUSION = "weighted"
DEFAULT_ALPHA = 0.9
"""Weight of the keyword side in weighted fusion."""
RRF_K = 60
DEPTH = 100


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


@dataclass
class Response:
    query: str
    mode: str
    results: list[Result]
    total: int
    facets: dict = field(default_factory=dict)
    suggestion: str | None = None
    expanded: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class Searcher:
    """Open indexes once (the server keeps one); the vector side loads on first use."""

    def __init__(self, index_dir: Path, model: str, use_glossary: bool = True) -> None:
        self.index_dir = index_dir
        self.model = model
        self.keyword = KeywordIndex(index_dir, use_glossary=use_glossary)
        self._vectors = None

    @property
    def vectors(self):
        if self._vectors is None:
            from jipp_kb.vectors import VectorIndex

            self._vectors = VectorIndex(self.index_dir, self.model)
        return self._vectors

    def close(self) -> None:
        self.keyword.close()

    def search(self, text: str, mode: str = DEFAULT_MODE, filters: dict | None = None, limit: int = 10, facets: bool = False,
               fusion: str = DEFAULT_FUSION, alpha: float = DEFAULT_ALPHA) -> Response:
        filters = filters or {}
        if mode == "semantic":  # the keyword side only for facets; its ranking and spelling are not used
            kw = self.keyword.search(text, filters, limit=1, facets=True, with_suggestion=False) if facets else KeywordResults([], 0, {}, None, [])
        else:
            kw = self.keyword.search(text, filters, limit=max(limit, DEPTH) if mode == "hybrid" else limit, facets=facets)
        if mode == "keyword":
            results = [Result(h.id, h.title, h.region, h.score, h.snippet, keyword_rank=i + 1) for i, h in enumerate(kw.hits)]
            return Response(text, mode, results, kw.total, kw.facets, kw.suggestion, kw.expanded)
        allowed = self.keyword.matching_ids(filters) if filters else None
        sem = self.vectors.search(text, allowed, DEPTH)
        if mode == "semantic":
            ranked = [(m.case, m.score) for m in sem]
        else:
            ranked = fuse([(h.id, h.score) for h in kw.hits], [(m.case, m.score) for m in sem], fusion, alpha)
        kw_hits = {h.id: (i + 1, h) for i, h in enumerate(kw.hits)}
        sem_hits = {m.case: (i + 1, m) for i, m in enumerate(sem)}
        results = []
        for cid, score in ranked[:limit]:
            stored = self.keyword.stored(cid) or {}
            kw_rank, hit = kw_hits.get(cid, (None, None))
            sem_rank, match = sem_hits.get(cid, (None, None))
            snippet = hit.snippet if hit else escape(_trim(match.text))
            section = match.section if match else None
            results.append(Result(cid, stored.get("title", cid), stored.get("region", ""), round(score, 4), snippet, section, kw_rank, sem_rank))
        total = len({c for c, _ in ranked})
        return Response(text, mode, results, total, kw.facets, kw.suggestion, kw.expanded)

    def similar(self, case_id: str, limit: int = 5) -> list[dict]:
        """Nearest cases — key-term overlap fused with embedding closeness — each with why."""
        vector = self.vectors.case_vector(case_id)
        me = self.keyword.stored(case_id)
        if vector is None or me is None:
            raise KeyError(case_id)
        mine = set(me["urusan"].split(","))
        semantic = self.vectors.search_vector(vector, limit=DEPTH, exclude=case_id)
        sections = {m.case: m.section for m in semantic}
        ranked = fuse(self.keyword.more_like(case_id, DEPTH), [(m.case, m.score) for m in semantic])
        out = []
        for cid, score in ranked[:limit]:
            section = sections.get(cid, "")
            other = self.keyword.stored(cid) or {}
            shared = sorted(mine & set(other.get("urusan", "").split(",")))
            out.append({"id": cid, "title": other.get("title", cid), "region": other.get("region", ""), "score": round(score, 4),
                        "section": section, "shared_urusan": shared, "reason": _reason(shared, section)})
        return out


def _reason(shared: list[str], section: str) -> str:
    parts = [f"urusan sama: {', '.join(shared)}"] if shared else []
    parts.append(f"bagian serupa: {section}")
    return "; ".join(parts)


def _trim(text: str, n: int = 240) -> str:
    text = text.split("\n", 1)[-1]
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " …"


def fuse(keyword: list[tuple[str, float]], semantic: list[tuple[str, float]], fusion: str = DEFAULT_FUSION, alpha: float = DEFAULT_ALPHA) -> list[tuple[str, float]]:
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
    except FileNotFoundError:
        return {}
    out = {}
    for cid in sorted(corpus.cases):
        try:
            out[cid] = [(s["id"], s["reason"]) for s in searcher.similar(cid, limit) if s["id"] in corpus.cases]
        except KeyError:  # not indexed yet: the site simply shows no neighbours
            continue
    searcher.close()
    return out
