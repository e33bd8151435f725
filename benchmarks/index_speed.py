"""How long `jipp-kb index` takes on a synthetic corpus: full, unchanged, one case changed.

    .venv/bin/python benchmarks/index_speed.py 1000

Uses benchmarks/synth.py's seeded generator (the real corpus's vocabulary and mix of profiles and case studies).
Each run is a whole `jipp-kb index` process, so corpus loading, the keyword
index and the embedding index (int8 ONNX, 2 threads) are all counted. The
first full run also exports the model (its time is printed separately).
Targets on 2 cores: full under 4 minutes, one changed case under 5 s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


def index(corpus: Path, index_dir: Path, *extra: str) -> tuple[float, dict]:
    start = time.perf_counter()
    out = subprocess.run(
        [str(ROOT / ".venv/bin/jipp-kb"), "index", "--json", "--corpus", str(corpus), "--index-dir", str(index_dir), *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, json.loads(out.stdout)


def main() -> None:
    from synth import generate

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    base = Path(f"/tmp/jipp-bench-index/{n}")
    shutil.rmtree(base, ignore_errors=True)
    generate(n, base / "corpus")
    index_dir = base / "jipp"
    t, _ = index(base / "corpus", base / "warmup", "--keyword-only")
    print(f"keyword index only ({n} cases): {t:.1f} s")
    from jipp_kb.config import DEFAULT_MODEL
    from jipp_kb.vectors import ensure_model

    start = time.perf_counter()
    ensure_model(index_dir, DEFAULT_MODEL)
    print(f"model export + int8 quantisation (once per model): {time.perf_counter() - start:.1f} s")
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
