"""How long packs on demand take: the pack page's fragments at build time, and ``/api/pack`` in a request.

    .venv/bin/python benchmarks/pack_on_demand.py

Uses the real corpus and writes to /tmp/jipp-bench/pack-on-demand/. Prints
the fragments of every case in both languages written cold, again with
nothing changed, and after one changed case; then the served pack of the
eight largest full case studies (``served_pack``, what ``/api/pack``
answers), first in a fresh process's first request and then again, with
CPU seconds beside wall seconds (a busy machine inflates only the latter).
"""

from __future__ import annotations

import dataclasses
import resource
import shutil
import time
from pathlib import Path

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.pack.fragments import MAX_CASES, served_pack, write_fragments
from jipp_kb.render.site import Writer

ROOT = Path("/tmp/jipp-bench/pack-on-demand")


def cpu_seconds() -> float:
    """This process and its finished children (the forked workers that render fragments)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(label: str, fn) -> object:
    wall, cpu = time.perf_counter(), cpu_seconds()
    out = fn()
    print(f"{label}: {time.perf_counter() - wall:.2f} s wall, {cpu_seconds() - cpu:.2f} s CPU")
    return out


def main() -> None:
    corpus = load_corpus(Path("corpus"))
    config = Config(base_url="/", root=ROOT)
    shutil.rmtree(ROOT, ignore_errors=True)
    ROOT.mkdir(parents=True)
    full = sorted((c for c in corpus.cases.values() if c.meta.depth != "profil"), key=lambda c: -len(c.text))
    ids = [c.id for c in full[:MAX_CASES]]
    print(f"corpus: {len(corpus.cases)} cases ({len(full)} full case studies)")

    timed(f"served_pack, {len(ids)} cases, first request", lambda: served_pack(corpus, config, ids, "id"))
    data = timed(f"served_pack, {len(ids)} cases, again", lambda: served_pack(corpus, config, ids, "id"))
    print(
        f"  answer: {sum(len(c['html']) for c in data['cases']) // 1024} kB of article HTML, {len(data['cross']['questions'])} cross questions"
    )
    timed(f"served_pack, {len(ids)} other cases (English)", lambda: served_pack(corpus, config, [c.id for c in full[8:16]], "en"))

    manifest = ROOT / "manifest.json"
    for label in ("fragments, cold", "fragments, nothing changed"):
        writer = Writer(ROOT / "site", manifest)
        n = timed(label, lambda w=writer: write_fragments(corpus, config, w))
        writer.save()
        print(f"  rendered {n}, written {writer.written}")
    changed = full[0]
    corpus.cases[changed.id] = dataclasses.replace(changed, digest="changed")
    writer = Writer(ROOT / "site", manifest)
    n = timed("fragments, one case changed", lambda: write_fragments(corpus, config, writer))
    print(f"  rendered {n}")
    size = sum(p.stat().st_size for p in (ROOT / "site").rglob("*.json"))
    print(f"fragments on disk: {size // 1024} kB")


if __name__ == "__main__":
    main()
