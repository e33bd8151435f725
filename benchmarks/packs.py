"""How long a learning pack takes: the text files, the PDF layout, and every collection's pack for the site.

    .venv/bin/python benchmarks/packs.py                          # the largest collection
    .venv/bin/python benchmarks/packs.py kesehatan-ibu-dan-anak
    .venv/bin/python benchmarks/packs.py --all                    # also build_packs, serial and parallel

Uses the real corpus and writes to /tmp/jipp-bench/packs/. Prints cases,
pages and seconds per step, and whether two layouts gave identical PDF bytes.
WeasyPrint's layout dominates (several seconds per pack); everything else
takes well under a second.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import time
from pathlib import Path

from jipp_kb.config import load_config
from jipp_kb.corpus import load_corpus
from jipp_kb.pack.build import build_packs, from_collection, layout_pdf, make_spec, write_texts

ROOT = Path("/tmp/jipp-bench/packs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collection", nargs="?", help="Collection id (default: the one with most valid cases).")
    parser.add_argument("--all", action="store_true", help="Also time build_packs over every collection (slow).")
    args = parser.parse_args()

    clock = time.perf_counter()
    corpus = load_corpus(Path("corpus"))
    print(f"corpus: {len(corpus.cases)} cases, {len(corpus.collections)} collections, loaded in {time.perf_counter() - clock:.2f} s")
    cid = args.collection or max(sorted(corpus.collections), key=lambda k: sum(c in corpus.cases for c in corpus.collections[k].cases))
    shutil.rmtree(ROOT, ignore_errors=True)

    clock = time.perf_counter()
    spec = make_spec(corpus, from_collection(corpus, cid))
    _, html = write_texts(corpus, spec, ROOT / cid)
    texts = time.perf_counter() - clock
    layouts = []
    for _ in range(2):
        clock = time.perf_counter()
        data, pages = layout_pdf(html)
        layouts.append((time.perf_counter() - clock, data))
    print(f"{cid}: {len(spec.case_ids)} cases, {pages} pages, {len(data) / 1024:.0f} KiB")
    print(f"  text files (handout.html, matrix, questions, agenda, pack.md): {texts:.2f} s")
    print(f"  PDF layout: {layouts[0][0]:.2f} s, again {layouts[1][0]:.2f} s; identical bytes: {layouts[0][1] == layouts[1][1]}")

    if args.all:
        for workers in (1, os.cpu_count() or 1):
            config = dataclasses.replace(load_config(), index_dir=ROOT / f"cache-{workers}")
            clock = time.perf_counter()
            built = build_packs(corpus, config, ROOT / f"site-{workers}", workers=workers)
            print(f"build_packs, {len(built)} collections, {workers} worker(s), cold: {time.perf_counter() - clock:.1f} s")
        clock = time.perf_counter()
        build_packs(corpus, config, ROOT / f"site-{workers}", workers=workers)
        print(f"build_packs again, nothing changed: {time.perf_counter() - clock:.1f} s")


if __name__ == "__main__":
    main()
