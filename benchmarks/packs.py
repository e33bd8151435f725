"""How long a learning pack takes: the text files, the PDF layouts, and every collection's pack for the site.

    .venv/bin/python benchmarks/packs.py                          # the largest collection
    .venv/bin/python benchmarks/packs.py kesehatan-ibu-dan-anak
    .venv/bin/python benchmarks/packs.py --all                    # also build_packs over every collection, cold and unchanged

Uses the real corpus and writes to /tmp/jipp-bench/packs/. Prints cases,
pages and seconds per step (each PDF also in CPU seconds, which a busy
machine does not inflate), and whether two builds gave identical bytes.
WeasyPrint's layout dominates (seconds per pack, seven PDFs laid out in
parallel processes); everything else takes about a second.
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
from jipp_kb.pack.build import FILES, PdfCache, build_pack, build_packs, layout_pdf, write_texts
from jipp_kb.pack.documents import make_spec
from jipp_kb.pack.select import from_collection

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
    spec = make_spec(corpus, from_collection(corpus, cid))

    clock = time.perf_counter()
    _, htmls = write_texts(corpus, spec, ROOT / "texts" / cid)
    print(f"{cid}: {len(spec.case_ids)} cases; text files (7 HTML, CSV, Markdown): {time.perf_counter() - clock:.2f} s")
    cpu: dict[str, float] = {}
    for name, html in htmls.items():
        clock, used = time.perf_counter(), time.process_time()
        data, pages = layout_pdf(html)
        cpu[name] = time.process_time() - used
        print(
            f"  {name}: {pages} pages, {len(data) / 1024:.0f} KiB, layout {time.perf_counter() - clock:.2f} s wall, {cpu[name]:.2f} s CPU"
        )
    longest = max(cpu.values())
    print(
        f"  CPU: {sum(cpu.values()):.2f} s in all; with {os.cpu_count()} workers the layout takes at least "
        f"{max(longest, sum(cpu.values()) / (os.cpu_count() or 1)):.2f} s (the longest PDF alone: {longest:.2f} s)"
    )

    results = []
    for run in ("a", "b"):
        clock = time.perf_counter()
        result = build_pack(corpus, spec, ROOT / run / cid, pdf_cache=PdfCache(None))
        results.append(result)
        print(f"build_pack, cold, {os.cpu_count()} worker(s): {time.perf_counter() - clock:.2f} s (every file, PDFs and ZIP)")
    same = all((results[0].output / n).read_bytes() == (results[1].output / n).read_bytes() for n in FILES)
    print(f"two builds, identical bytes (all {len(FILES)} files): {same}")
    cache = PdfCache(ROOT / "cache.json")
    build_pack(corpus, spec, ROOT / "c" / cid, pdf_cache=cache)
    clock = time.perf_counter()
    build_pack(corpus, spec, ROOT / "c" / cid, pdf_cache=cache)
    print(f"build_pack again, nothing changed: {time.perf_counter() - clock:.2f} s")

    if args.all:
        config = dataclasses.replace(load_config(), index_dir=ROOT / "cache-site")
        clock = time.perf_counter()
        built = build_packs(corpus, config, ROOT / "site")
        print(f"build_packs, {len(built)} collections, {os.cpu_count()} worker(s), cold: {time.perf_counter() - clock:.1f} s")
        clock = time.perf_counter()
        build_packs(corpus, config, ROOT / "site")
        print(f"build_packs again, nothing changed: {time.perf_counter() - clock:.1f} s")


if __name__ == "__main__":
    main()
