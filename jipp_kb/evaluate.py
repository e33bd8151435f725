"""``jipp-kb eval``: measure every search mode on the judged queries.

Metrics come from ir-measures (nDCG@10, Recall@10 with grade >= 1, and MRR),
so they match trec_eval's definitions; "P@5 shown" is the share of relevant
cases among the (up to) five a user is shown, which is what the relevance
floor improves. Queries carry a ``split`` (tune/test): weights are chosen on
*tune* and reported on *test*.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ir_measures
import yaml
from ir_measures import RR, R, nDCG

from jipp_kb.search import DEFAULT_ALPHA, DEFAULT_FLOOR, DEFAULT_FUSION, DEFAULT_MODE, Searcher

METRICS = {"nDCG@10": nDCG @ 10, "R@10": R @ 10, "MRR": RR}


@dataclass
class Query:
    id: str
    text: str
    kind: str
    split: str
    relevant: dict[str, int]


def load_queries(path: Path) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Query(str(q["id"]), q["query"], q.get("kind", ""), q.get("split", "test"), {k: int(v) for k, v in (q.get("relevant") or {}).items()}) for q in data]


def score(queries: list[Query], rankings: dict[str, list[str]]) -> dict[str, float]:
    """Aggregate metrics of one system; unjudged cases count as not relevant."""
    qrels = [ir_measures.Qrel(q.id, doc, grade) for q in queries for doc, grade in q.relevant.items()]
    run = [ir_measures.ScoredDoc(q.id, doc, float(1000 - rank)) for q in queries for rank, doc in enumerate(rankings.get(q.id, []))]
    values = ir_measures.calc_aggregate(list(METRICS.values()), qrels, run)
    out = {name: round(float(values[measure]), 4) for name, measure in METRICS.items()}
    out["P@5 shown"] = round(sum(_shown_precision(q, rankings.get(q.id, [])) for q in queries) / len(queries), 4)
    return out


def _shown_precision(q: Query, ranking: list[str], k: int = 5) -> float:
    shown = ranking[:k]
    return sum(1 for doc in shown if q.relevant.get(doc, 0) > 0) / len(shown) if shown else 0.0


def rankings_for(searcher: Searcher, queries: list[Query], mode: str, **options) -> dict[str, list[str]]:
    return {q.id: [r.id for r in searcher.search(q.text, mode, limit=100, snippets=False, **options).results] for q in queries}


def evaluate(index_dir: Path, model: str, queries: list[Query], semantic: bool = True, ablations: bool = False, corpus=None,
             grid: bool = False) -> dict[str, dict[str, dict[str, float]]]:
    """system name → split (all/tune/test) → metric → value; ``grid`` adds the settings tried when tuning."""
    systems: dict[str, dict[str, list[str]]] = {}
    searcher = Searcher(index_dir, model)
    if semantic:
        systems[f"default ({DEFAULT_MODE}, {DEFAULT_FUSION}, floor {DEFAULT_FLOOR})"] = rankings_for(searcher, queries, DEFAULT_MODE)
    systems["keyword"] = rankings_for(searcher, queries, "keyword", floor=0.0)
    systems["keyword, no query understanding"] = rankings_for(searcher, queries, "keyword", floor=0.0, infer=False)
    if semantic:
        systems["semantic"] = rankings_for(searcher, queries, "semantic", floor=0.0)
        systems["hybrid (rrf)"] = rankings_for(searcher, queries, "hybrid", fusion="rrf", floor=0.0)
        for alpha in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9) if grid else (DEFAULT_ALPHA,):
            systems[f"hybrid (weighted α={alpha})"] = rankings_for(searcher, queries, "hybrid", fusion="weighted", alpha=alpha, floor=0.0)
        if grid:
            systems["default, no query understanding"] = rankings_for(searcher, queries, DEFAULT_MODE, infer=False)
            for preference in (0.0, 0.1, 0.3, 0.5, 0.8):
                systems[f"default, preference {preference}"] = rankings_for(searcher, queries, DEFAULT_MODE, preference=preference)
            for floor in (0.0, 0.4, 0.5, 0.55, 0.6):
                systems[f"default, floor {floor}"] = rankings_for(searcher, queries, DEFAULT_MODE, floor=floor)
    searcher.close()
    if ablations:
        no_glossary = Searcher(index_dir, model, use_glossary=False)
        systems["keyword, no glossary"] = rankings_for(no_glossary, queries, "keyword")
        no_glossary.close()
        if corpus is not None:
            systems["keyword, no stemming"] = _restemmed(corpus, model, queries, "none")
            try:
                import Sastrawi  # noqa: F401 - optional, for comparison only
            except ImportError:
                pass
            else:
                systems["keyword, Sastrawi stemmer"] = _restemmed(corpus, model, queries, "sastrawi")
    splits = {"all": queries, "tune": [q for q in queries if q.split == "tune"], "test": [q for q in queries if q.split == "test"]}
    return {name: {split: score(qs, ranking) for split, qs in splits.items() if qs} for name, ranking in systems.items()}


def _restemmed(corpus, model: str, queries: list[Query], stemmer: str) -> dict[str, list[str]]:
    """Rankings from a throwaway keyword index built with another stemmer."""
    from jipp_kb import keyword
    from jipp_kb.analysis import Analysis
    from jipp_kb.indexer import glossary_dicts

    tmp = Path(tempfile.mkdtemp(prefix="jipp-eval-"))
    try:
        keyword.build(tmp, corpus.sorted_cases(), glossary_dicts(corpus), Analysis(stemmer=stemmer))
        searcher = Searcher(tmp, model)
        try:
            return rankings_for(searcher, queries, "keyword")
        finally:
            searcher.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def format_table(results: dict, split: str = "all") -> str:
    names = [*METRICS, "P@5 shown"]
    width = max(len(n) for n in results) + 2
    lines = [f"{'system':<{width}}" + "".join(f"{n:>11}" for n in names), "-" * (width + 11 * len(names))]
    for system, splits in results.items():
        if split in splits:
            lines.append(f"{system:<{width}}" + "".join(f"{splits[split][n]:>11.3f}" for n in names))
    return "\n".join(lines)
