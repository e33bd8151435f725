"""How fast `jipp-kb build` renders synthetic corpora of 1,000 and 10,000 cases.

    .venv/bin/python benchmarks/site_build.py            # N = 1000 and 10000
    .venv/bin/python benchmarks/site_build.py 1000 --pagefind
    .venv/bin/python benchmarks/site_build.py 10000 --full   # every case a full case study
    .venv/bin/python benchmarks/site_build.py 10000 --from /tmp/synth/10000   # copy a corpus synth.py wrote
    .venv/bin/python benchmarks/site_build.py --site /tmp/jipp-bench/10000/site   # only Pagefind, on a built site
    .venv/bin/python benchmarks/site_build.py 10000 --from /tmp/synth/10000 --root /tmp/my-bench   # work elsewhere

The cases come from benchmarks/synth.py (the real corpus's vocabulary and mix
of profiles and case studies, seeded: the 1k corpus is the prefix of the 10k
one). Written to /tmp/jipp-bench/<N>/ (``--root``: another folder; it is deleted first). Prints, per N:
corpus loading (not part of the build), a cold build (empty caches), a
rebuild with nothing changed, a build into an empty folder with the rendered
Markdown cached (a CI job that keeps .jipp/site-cache), and a rebuild after
one case changed (with its target, 2 s). The first rebuild links every file into the copy of the site
that later builds keep and only bring level (render/publish.py); the rows after
it are the steady state. Pagefind is timed separately, when asked for, with its CPU time and peak memory
(the largest resident size of its runs: one per language and shard, one after the other). Targets: 1,000 cases in under 3 s, 10,000 in
under 30 s, one changed case in under 2 s (excluding Pagefind); Pagefind under 2 GB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.render.site import build_site

sys.path.insert(0, str(Path(__file__).parent))
from synth import case_id, generate  # noqa: E402

ROOT = Path("/tmp/jipp-bench")
SEED = 2024


def similar_map(ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    rng = random.Random(SEED)
    return {cid: [(o, "kata kunci yang sama") for o in rng.sample(ids, 4) if o != cid][:3] for cid in ids}


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: less sensitive than wall time to a busy machine."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _kernel_cpu() -> float:
    """The part of :func:`_cpu` spent in the kernel: creating files and folders, which on some disks costs more
    than rendering them (docs/performance.md, "Where a cold build's CPU goes")."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_stime + kids.ru_stime


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def run(n: int, pagefind: bool, full: bool, source: Path | None, root: Path = ROOT) -> None:
    base = root / (f"{n}-full" if full else str(n))
    if base.exists():
        shutil.rmtree(base)
    corpus_dir, site, cache = base / "corpus", base / "site", base / "cache"
    t = time.perf_counter()
    if source:  # what synth.py wrote before (case i depends only on the seed and i)
        shutil.copytree(source, corpus_dir)
    else:
        generate(n, corpus_dir, full)
    size = sum(p.stat().st_size for p in corpus_dir.glob("*.md")) / 1e6
    made = "copied" if source else "generated"
    print(f"\n== {n:,} cases ({made} in {time.perf_counter() - t:.1f} s, {size:.1f} MB; {os.cpu_count()} CPUs, load average {_load()})")

    cpu, t = _cpu(), time.perf_counter()
    corpus = load_corpus(corpus_dir)
    took, cpu = time.perf_counter() - t, _cpu() - cpu
    print(
        f"{'load_corpus (not part of the build)':37s} {took:6.2f} s   (CPU {cpu:.1f} s; {len(corpus.cases):,} valid, {len(corpus.problems)} problems)"
    )
    if corpus.problems:
        print("  first problem:", corpus.problems[0], file=sys.stderr)
    similar = similar_map(sorted(corpus.cases))
    config = Config(corpus=corpus_dir, site_dir=site, index_dir=cache)

    def build(label: str, target: float | None = None) -> None:
        cpu, kernel, t = _cpu(), _kernel_cpu(), time.perf_counter()
        r = build_site(corpus, config, similar, search=False, cache_dir=cache)
        total, cpu, kernel = time.perf_counter() - t, _cpu() - cpu, _kernel_cpu() - kernel
        steps = ", ".join(f"{k} {v:.2f}" for k, v in r.timings.items())
        verdict = "" if target is None else f"target {target:g} s: {'met' if total <= target else 'NOT met'} (wall); "
        print(
            f"{label:37s} {total:6.2f} s   ({verdict}CPU {cpu:.2f} s, kernel {kernel:.2f}; load average {_load()}; {r.pages:,} pages, "
            f"{r.cached:,} from the page cache, {r.rendered:,} rendered, {r.written:,} written, "
            f"{r.markdown_rendered:,} sections rendered; {steps})"
        )

    build("cold build (empty caches)")
    build("rebuild, nothing changed (first)")  # links every file into the standby copy the next builds keep
    build("rebuild, nothing changed")
    victim = corpus_dir / f"{case_id(7)}.md"
    text = victim.read_text(encoding="utf-8").replace(
        "## Ringkasan\n\n", "## Ringkasan\n\nSatu kalimat baru untuk uji pembangunan ulang [1].\n\n", 1
    )
    victim.write_text(text.replace("last_reviewed: 2026-01-01", "last_reviewed: 2026-02-01"), encoding="utf-8")
    cpu, t = _cpu(), time.perf_counter()
    corpus = load_corpus(corpus_dir)
    print(f"{'load_corpus again (not part of build)':37s} {time.perf_counter() - t:6.2f} s   (CPU {_cpu() - cpu:.1f} s)")
    build("rebuild after one changed case", 2.0 if n >= 10_000 else None)
    shutil.rmtree(site)
    for manifest in cache.glob("manifest-*.json"):
        manifest.unlink()
    build("new output, Markdown/page caches kept")

    if pagefind:
        time_pagefind(site)


def time_pagefind(site: Path) -> None:
    """index_site in a fresh process, so its children's peak memory and CPU time are Pagefind's alone."""
    t = time.perf_counter()
    probe = (
        "import resource, sys; from pathlib import Path; from jipp_kb.render.pagefind import index_site; "
        "s = index_site(Path(sys.argv[1])); r = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(s.pages, s.files, s.bundles, r.ru_maxrss, r.ru_utime + r.ru_stime)"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(site)], check=True, capture_output=True, text=True).stdout.split()
    pages, files, bundles, peak, cpu = int(out[0]), int(out[1]), int(out[2]), int(out[3]), float(out[4])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{'Pagefind (separate step)':37s} {time.perf_counter() - t:6.2f} s   (CPU {cpu:.1f} s; peak memory {peak / 1024**2:.2f} GB, "
        f"the largest run's; {pages:,} pages indexed in {bundles} bundles, {files:,} files; load average after {load})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--pagefind", action="store_true", help="also time the Pagefind index (slow and memory-hungry at 10k)")
    parser.add_argument("--full", action="store_true", help="every case a full case study (no profiles)")
    parser.add_argument("--from", dest="source", type=Path, help="copy this synthetic corpus (one size only) instead of generating it")
    parser.add_argument("--site", type=Path, help="only time Pagefind, on this built site (its bundles are replaced)")
    parser.add_argument("--root", type=Path, default=ROOT, help=f"work in <root>/<N>/, deleted first (default {ROOT})")
    args = parser.parse_args()
    if args.site:
        time_pagefind(args.site)
        return
    if args.source and len(args.sizes) != 1:
        parser.error("--from takes one size")
    for n in args.sizes:
        run(n, args.pagefind, args.full, args.source, args.root)


if __name__ == "__main__":
    main()
