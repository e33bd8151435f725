"""Cold and warm query times of `jipp-kb search`, keyword and hybrid.

    .venv/bin/python benchmarks/search_speed.py             # the real corpus (needs `jipp-kb index`)
    .venv/bin/python benchmarks/search_speed.py --synthetic 10000

Cold: a whole `jipp-kb search` process (python start, imports, opening the
indexes, loading the embedding model for hybrid, one query), median of 10 runs.
Warm: the same process answering many queries; median and p95 of in-process
times after 10 warm-up queries.

The synthetic corpus (benchmarks/synth.py, seeded) gets a real keyword index;
its embedding side gets *perturbed copies of the real chunk vectors* of each
case's template, as many as the case's own text makes chunks
(``synth.synthetic_vectors``), because embedding 30,000 chunks
takes hours and query cost does not depend on the vector values. Queries still
go through the real default model. Give the synthetic index
``keyword_engine = "tantivy"`` with ``--tantivy`` (a tantivy copy is added). Targets (2 cores): cold search in the default
mode (hybrid) median <= 0.6 s, warm hybrid p95 <= 50 ms on the corpus and
<= 100 ms at 10,000 cases.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))

QUERIES = [
    "jemput bola akta kelahiran",
    "antrean puskesmas",
    "pengaduan lewat whatsapp",
    "menurunkan kematian ibu",
    "sampah tpa ditutup",
    "guru kurang di desa",
    "izin usaha cepat",
    "stunting balita",
    "ktp elektronik",
    "warga mengeluh menunggu lama di kantor capil",
    "maternal mortality village midwives",
    "Sumpah Beruang",
    "bank sampah desa",
    "kartu keluarga miskin",
    "ambulans gratis",
    "sekolah anak jalanan",
    "nelayan budidaya udang",
    "layanan lansia rumah",
    "data desa digital",
    "bencana banjir laporan",
]


def cold(index_dir: Path, mode: str | None, runs: int = 10) -> list[float]:
    """Whole `jipp-kb search` processes; ``mode`` None is the default mode."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        command = [sys.executable, "-m", "jipp_kb", "search", QUERIES[i % len(QUERIES)], "--index-dir", str(index_dir), "-n", "10"]
        subprocess.run(command + (["--mode", mode] if mode else []), check=True, capture_output=True)
        if i:  # the first run warms the file cache
            times.append(time.perf_counter() - start)
    return times


def warm(index_dir: Path, model: str, mode: str, rounds: int = 5, cpu: bool = False) -> list[float]:
    """In-process times after warming up; ``cpu``: CPU seconds of this process, less sensitive to a busy machine."""
    from jipp_kb.search import Searcher

    searcher = Searcher(index_dir, model)
    for q in QUERIES[:10]:
        searcher.search(q, mode)
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            clock = time.process_time if cpu else time.perf_counter
            start = clock()
            [r.snippet for r in searcher.search(q, mode, limit=10).results]
            times.append(clock() - start)
    searcher.close()
    return times


def judged() -> list[str]:
    """The judged queries' texts (tests/data/queries.yml): officials' words, typos, places, English."""
    from jipp_kb.evaluate import load_queries

    return [q.text for q in load_queries(ROOT / "tests/data/queries.yml")]


def fresh(index_dir: Path, model: str, mode: str) -> list[float]:
    """Each judged query once, after warming up on QUERIES: every query is embedded (nothing cached)."""
    from jipp_kb.search import Searcher

    searcher = Searcher(index_dir, model)
    for q in QUERIES:
        searcher.search(q, mode)
    times = []
    for q in judged():
        start = time.perf_counter()
        [r.snippet for r in searcher.search(q, mode, limit=10).results]
        times.append(time.perf_counter() - start)
    searcher.close()
    return times


def agreement(index_dir: Path, model: str) -> None:
    """With ``keyword_engine = "tantivy"``: top-10 overlap of tantivy's ranking with whoosh's own, same queries."""
    from jipp_kb.search import Searcher

    searcher = Searcher(index_dir, model)
    if searcher.keyword.ranker is None:
        return
    queries = QUERIES + judged()
    runs = {}
    for engine in ("tantivy", "whoosh"):
        if engine == "whoosh":
            searcher.keyword.ranker = None
        runs[engine] = {m: [[r.id for r in searcher.search(q, m, limit=10, snippets=False).results] for q in queries] for m in ("keyword",)}
    for m in ("keyword",):  # hybrid follows the keyword side; whoosh takes ~1 s a query at 10,000 cases
        pairs = list(zip(runs["tantivy"][m], runs["whoosh"][m], strict=True))
        shared = statistics.mean(len(set(a) & set(b)) / max(1, len(b)) for a, b in pairs)
        print(
            f"tantivy vs whoosh ranking, {m}: top-10 overlap {shared:.3f}; same top 1 for {sum(a[:1] == b[:1] for a, b in pairs)}/{len(pairs)}"
        )
    searcher.close()


def synthetic(n: int, tantivy: bool = False) -> Path:
    """A keyword index over n cases of benchmarks/synth.py plus perturbed copies of real chunk vectors."""
    from synth import case_id, generate, synthetic_vectors, template_of

    from jipp_kb import keyword, store, vectors
    from jipp_kb.config import DEFAULT_MODEL
    from jipp_kb.corpus import load_corpus
    from jipp_kb.indexer import glossary_dicts
    from jipp_kb.models import chunk_words, model_info
    from jipp_kb.nano import MAX_TOKENS, TOKENS_PER_WORD

    base = Path(f"/tmp/synth/{n}")
    index_dir = Path(f"/tmp/synth/{n}-index")
    if store.current(index_dir, "keyword") is None:
        generate(n, base)
        corpus = load_corpus(base)
        start = time.perf_counter()
        keyword.build(index_dir, corpus.sorted_cases(), glossary_dicts(corpus))
        print(f"keyword index of {n} cases: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if tantivy and not (store.current(index_dir, "keyword") / keyword.RANKER_FOLDER).is_dir():
        corpus = load_corpus(base)
        start = time.perf_counter()
        keyword.build(index_dir, corpus.sorted_cases(), glossary_dicts(corpus), engine="tantivy")
        print(f"tantivy copy of {n} cases: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    info = model_info(DEFAULT_MODEL)
    if store.current(index_dir, vectors.store_name(info)) is None:
        cases = load_corpus(base).cases
        ids = [case_id(i) for i in range(n)]
        words = chunk_words(MAX_TOKENS, TOKENS_PER_WORD)  # as `jipp-kb index` cuts the default model's chunks
        counts = [len(vectors.chunk_case(cases[cid], words)) for cid in ids]
        records, matrix = synthetic_vectors(ids, [template_of(i) for i in range(n)], counts, ROOT / ".jipp", DEFAULT_MODEL)
        gen = store.new_generation(index_dir, vectors.store_name(info))
        np.save(gen / "vectors.npy", matrix)
        chunks = {"model": info.name, "words_per_chunk": words, "chunks": records}
        (gen / "chunks.json").write_text(json.dumps(chunks), encoding="utf-8")
        store.publish(index_dir, vectors.store_name(info), gen)
    return index_dir


def report(label: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{label:<34} median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=0, help="use a generated corpus of N cases")
    parser.add_argument("--index-dir", type=Path, default=ROOT / ".jipp")
    parser.add_argument("--no-cold", action="store_true", help="skip the whole-process runs")
    parser.add_argument("--tantivy", action="store_true", help="rank keyword matches with tantivy (adds the copy to a synthetic index)")
    args = parser.parse_args()
    from jipp_kb.config import DEFAULT_MODEL

    index_dir = synthetic(args.synthetic, args.tantivy) if args.synthetic else args.index_dir
    label = f"{args.synthetic} synthetic cases" if args.synthetic else "the corpus"
    print(f"search speed on {label} ({index_dir})")
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    if not args.no_cold:
        report("cold `jipp-kb search` (default mode)", cold(index_dir, None))
        report("cold `jipp-kb search --mode keyword`", cold(index_dir, "keyword"))
    for mode in ("keyword", "semantic", "hybrid"):
        report(f"warm {mode}", warm(index_dir, DEFAULT_MODEL, mode))
    report("warm hybrid, new queries", fresh(index_dir, DEFAULT_MODEL, "hybrid"))
    report("warm hybrid, CPU time", warm(index_dir, DEFAULT_MODEL, "hybrid", cpu=True))
    agreement(index_dir, DEFAULT_MODEL)


if __name__ == "__main__":
    main()
