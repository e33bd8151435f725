"""jipp-kb's keyword search side by side with a plain whoosh index and a plain SQLite FTS5 table.

    python benchmarks/search_baselines.py 10000      # the synthetic corpus of benchmarks/synth.py
    python benchmarks/search_baselines.py 0          # the real corpus

The same cases and the same queries (benchmarks/search_speed.py's list and the
judged queries) go to three engines, each asked for its top 10:

- **jipp-kb keyword**: ``KeywordIndex.search`` as the CLI runs it (Indonesian
  analysis, field weights, glossary, spelling, snippets), over the index
  benchmarks/search_speed.py builds;
- **plain whoosh**: one text field with whoosh's default ``StemmingAnalyzer``
  (English stemming), words OR-ed, whoosh's default search (block-quality
  skipping on: the fast path that loops forever on some queries);
- **plain FTS5**: an SQLite ``fts5`` table (title, summary, body) with the
  ``unicode61`` tokenizer, words OR-ed, ranked by ``bm25()``.

Prints median and p95 CPU time per engine and the ratios jipp-kb / baseline. The
baselines do less (no stemming for Indonesian, no glossary, no spelling, no
snippets): the ratio is the price of those, not a like-for-like race.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def percentiles(times: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in times)
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.95))]


def plain_whoosh(cases: list, folder: Path):
    from whoosh import index, qparser
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    if not index.exists_in(str(folder)):
        folder.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(folder), Schema(id=ID(stored=True), text=TEXT(analyzer=StemmingAnalyzer())))
        writer = ix.writer(limitmb=128)
        for c in cases:
            writer.add_document(id=c.id, text=_text(c))
        writer.commit()
    ix = index.open_dir(str(folder))
    searcher = ix.searcher()
    parser = qparser.QueryParser("text", ix.schema, group=qparser.OrGroup)
    return lambda q: [h["id"] for h in searcher.search(parser.parse(q), limit=10)]


def plain_fts5(cases: list, path: Path):
    fresh = not path.exists()
    db = sqlite3.connect(path, check_same_thread=False)
    if fresh:
        db.execute("CREATE VIRTUAL TABLE cases USING fts5(id UNINDEXED, title, summary, body, tokenize='unicode61')")
        db.executemany(
            "INSERT INTO cases VALUES (?, ?, ?, ?)", [(c.id, c.meta.title, c.meta.summary, "\n".join(c.sections.values())) for c in cases]
        )
        db.commit()

    def search(q: str) -> list[str]:
        words = re.findall(r"\w+", q.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        return [r[0] for r in db.execute("SELECT id FROM cases WHERE cases MATCH ? ORDER BY bm25(cases) LIMIT 10", (match,))]

    return search


def _text(c) -> str:
    return "\n".join([c.meta.title, c.meta.summary, *c.sections.values()])


def main() -> None:
    from search_speed import QUERIES, judged, synthetic

    from jipp_kb.corpus import load_corpus
    from jipp_kb.keyword import KeywordIndex

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="synthetic cases (0: the real corpus and its index in .jipp)")
    args = parser.parse_args()
    if args.n:
        index_dir, corpus_dir, work = synthetic(args.n), Path(f"/tmp/synth/{args.n}"), Path(f"/tmp/synth/{args.n}-baselines")
    else:
        index_dir, corpus_dir, work = ROOT / ".jipp", ROOT / "corpus", Path("/tmp/synth/real-baselines")
    cases = load_corpus(corpus_dir).sorted_cases()
    work.mkdir(parents=True, exist_ok=True)
    engines = {}
    kw = KeywordIndex(index_dir)
    engines["jipp-kb keyword"] = lambda q: [(h.id, h.snippet) for h in kw.search(q, limit=10).hits]
    if kw.ranker is not None:  # the index has a tantivy copy: also time whoosh's own ranking
        kw_whoosh = KeywordIndex(index_dir)
        kw_whoosh.ranker = None
        engines["jipp-kb (whoosh)"] = lambda q: [(h.id, h.snippet) for h in kw_whoosh.search(q, limit=10).hits]
    for name, make, where in (("plain whoosh", plain_whoosh, work / "whoosh"), ("plain FTS5", plain_fts5, work / "fts5.sqlite")):
        start = time.perf_counter()
        engines[name] = make(cases, where)
        print(f"{name}: opened (built if new) in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    queries = QUERIES + judged()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(cases)} cases, {len(queries)} queries, top 10, warm, CPU time; load average {load} on {os.cpu_count()} CPUs")
    results = {}
    for name, run in engines.items():
        for q in QUERIES:
            run(q)
        times = []
        for q in queries:
            start = time.process_time()  # CPU time: the machine may be shared; wall ≈ CPU on a quiet one
            run(q)
            times.append(time.process_time() - start)
        results[name] = percentiles(times)
        print(f"{name:<18} median {results[name][0]:7.1f} ms   p95 {results[name][1]:7.1f} ms")
    for mine in [m for m in ("jipp-kb keyword", "jipp-kb (whoosh)") if m in results]:
        for name in ("plain whoosh", "plain FTS5"):
            ours, base = results[mine], results[name]
            print(f"{mine} / {name:<13} median ×{ours[0] / base[0]:.1f}   p95 ×{ours[1] / base[1]:.1f}")


if __name__ == "__main__":
    main()
