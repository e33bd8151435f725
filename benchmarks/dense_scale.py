"""The embedding side alone at any number of cases: the product and the scoring of cases, on random vectors.

    .venv/bin/python benchmarks/dense_scale.py 100000        # 100,000 cases, ~2.7 chunks a case (the reference corpus's mix)

A query's cost on the dense side does not depend on the vectors' values, so
random unit vectors in the real model's 384 dimensions stand in for a library
too large to embed (100,000 cases would take hours). The store is written once
to /tmp/jipp-dense/<N>/ and reused. Prints wall and CPU time of the product
alone and of ``VectorIndex.search_vector`` (the product, each case's two best
chunks, the 100 best cases), median and p95 of 30 queries.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from jipp_kb import store
from jipp_kb.config import DEFAULT_MODEL
from jipp_kb.models import model_info
from jipp_kb.vectors import VectorIndex, store_name

sys.path.insert(0, str(Path(__file__).parent))
from search_speed import report  # noqa: E402

CHUNKS_A_CASE = ([1, 2, 3, 4, 5, 6], [0.45, 0.1, 0.1, 0.1, 0.15, 0.1])
"""Chunks per case and their shares: profiles have one, full case studies several."""


def ensure_store(n: int, root: Path) -> Path:
    name = store_name(model_info(DEFAULT_MODEL))
    if store.current(root, name) is None:
        rng = np.random.default_rng(0)
        owners = np.repeat(np.arange(n), rng.choice(CHUNKS_A_CASE[0], size=n, p=CHUNKS_A_CASE[1]))
        vectors = rng.standard_normal((len(owners), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        gen = store.new_generation(root, name)
        np.save(gen / "vectors.npy", vectors)
        chunks = [{"case": f"c{o:06d}", "section": "s", "text": ""} for o in owners]
        (gen / "chunks.json").write_text(json.dumps({"chunks": chunks}), encoding="utf-8")
        store.publish(root, name, gen)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="cases")
    args = parser.parse_args()
    index = VectorIndex(ensure_store(args.n, Path(f"/tmp/jipp-dense/{args.n}")), DEFAULT_MODEL)
    print(f"{args.n:,} cases, {len(index.vectors):,} chunks")
    queries = index.vectors[np.random.default_rng(1).integers(len(index.vectors), size=30)]
    for label, run in (("product", lambda q: index.vectors @ q), ("search_vector", lambda q: index.search_vector(q, None, 100))):
        wall, cpu = [], []
        for q in queries:
            w, c = time.perf_counter(), time.process_time()
            run(q)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        report(f"{label}, wall", wall)
        report(f"{label}, CPU", cpu)


if __name__ == "__main__":
    main()
