"""How well the replication checklist sorts sentences into people, budget, regulation and partners.

    .venv/bin/python benchmarks/checklist_accuracy.py             # the three methods on the tune and test halves
    .venv/bin/python benchmarks/checklist_accuracy.py --search    # choose each method's settings on the tune half
    .venv/bin/python benchmarks/checklist_accuracy.py -v          # also every disagreement with the hand labels

Hand labels: 125 sentences and list items, 53 of six fixture cases (benchmarks/data/checklist_labels.yml)
and 72 of the real corpus (checklist_labels_corpus.yml), split by case into a tune half (63) and a test
half (62). Methods: the keyword rules (``content.by_keywords``), meaning alone (``meaning.MeaningSorter.nearest``
with ``meaning.MEANING``) and the keywords then meaning (``meaning.MeaningSorter`` with ``meaning.COMBINED``).
For each: units sorted exactly right, wrong placements (a need the labels do not give: worse than an omission,
a facilitator reads a wrong line) and omissions. Settings are chosen on the tune half only (``--search``).
Also prints how long sorting an 8-case pack's units by meaning takes with an empty and a filled vector cache.
Needs the search extra (the embedding model); vectors are cached in the per-machine cache.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from jipp_kb.corpus import load_corpus
import checklist_meaning as meaning

from jipp_kb.pack import content
from jipp_kb.pack.content import Unit
from jipp_kb.pack.select import from_collection

HERE = Path(__file__).parent
ROOT = HERE.parent
LABELS = {"checklist_labels.yml": ROOT / "tests" / "data" / "corpus", "checklist_labels_corpus.yml": ROOT / "corpus"}
SPLITS = ("tune", "test")
SPEED_COLLECTION = "ekonomi-lokal-dan-pangan"
"""An 8-case collection, the one docs/packs.md times."""


def labelled() -> list[tuple[Unit, set[str], str, str]]:
    """(unit, labelled needs, split, case id) for every hand-labelled unit."""
    out = []
    for name, folder in LABELS.items():
        corpus = load_corpus(folder)
        for row in yaml.safe_load((HERE / "data" / name).read_text(encoding="utf-8")):
            case = corpus.cases[row["case"]]
            found = [u for u in content.units(case.sections[row["section"]], row["section"]) if u.plain[:60] == row["starts"]]
            if len(found) != 1:
                raise SystemExit(f"{name}: {row['case']} / {row['section']}: no single unit starts with {row['starts']!r}")
            out.append((found[0], set(row["needs"]), row["split"], row["case"]))
    return out


def score(rows, predicted: list[set[str]], split: str) -> tuple[int, int, int, int]:
    """(exactly right, units, wrong placements, omissions) on one half."""
    right = total = wrong = omitted = 0
    for (_, want, half, _), got in zip(rows, predicted):
        if half == split:
            total += 1
            right += got == want
            wrong += len(got - want)
            omitted += len(want - got)
    return right, total, wrong, omitted


def search(rows, sorter: meaning.MeaningSorter) -> None:
    """Each method's best settings on the tune half: most units right, then fewest wrong, then the most cautious."""
    keywords = content.by_keywords([u for u, *_ in rows])
    grid = itertools.product(
        [round(0.78 + 0.005 * i, 3) for i in range(25)],
        [round(0.0025 * i, 4) for i in range(13)],
        [content.CHECKLIST_SECTIONS, ("Sumber Daya", "Pelaksanaan"), ("Sumber Daya",)],
    )
    best: dict[str, tuple] = {}
    for threshold, margin, sections in grid:
        settings = meaning.Settings(threshold, margin, sections)
        near = sorter.nearest([u.plain for u, *_ in rows], settings)
        alone = [{n} if n and u.section in sections else set() for (u, *_), n in zip(rows, near)]
        combined = [set(k) or a for k, a in zip(keywords, alone)]
        for name, predicted in (("MEANING", alone), ("COMBINED", combined)):
            right, _, wrong, _ = score(rows, predicted, "tune")
            rank = (right, -wrong, threshold, margin, -len(sections))
            if name not in best or rank > best[name][0]:
                best[name] = (rank, settings)
    for name, (rank, settings) in best.items():
        print(f"{name}: {settings}  (tune: {rank[0]} right, {-rank[1]} wrong placements)")


def speed(sorter_of: Callable[[Path], meaning.MeaningSorter]) -> None:
    corpus = load_corpus(ROOT / "corpus")
    cases = [corpus.cases[c] for c in from_collection(corpus, SPEED_COLLECTION).case_ids]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.npz"
        kept = []  # the first sorter's model is freed after the timings, not during the second
        for state in ("empty", "filled"):
            clock = time.perf_counter()
            sorter = sorter_of(path)
            kept.append(sorter)
            for case in cases:
                content.checklist(case, sorter)
            print(f"checklist by meaning for {len(cases)} cases ({SPEED_COLLECTION}), {state} cache: {time.perf_counter() - clock:.2f} s")
    clock = time.perf_counter()
    for case in cases:
        content.checklist(case)
    print(f"checklist by keywords for the same cases: {time.perf_counter() - clock:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="Choose the settings on the tune half.")
    parser.add_argument("-v", "--verbose", action="store_true", help="Print every disagreement.")
    args = parser.parse_args()
    rows = labelled()
    sorter = meaning.MeaningSorter.open()
    if args.search:
        search(rows, sorter)
        return
    units = [u for u, *_ in rows]
    methods = {
        "keywords": [set(n) for n in content.by_keywords(units)],
        "meaning alone": [{n} if n else set() for n in sorter.nearest([u.plain for u in units])],
        "keywords, then meaning": [set(n) for n in sorter(units)],
    }
    print(f"{len(rows)} labelled units: " + ", ".join(f"{s} {sum(r[2] == s for r in rows)}" for s in SPLITS))
    for name, predicted in methods.items():
        cells = []
        for split in SPLITS:
            right, total, wrong, omitted = score(rows, predicted, split)
            cells.append(f"{split} {right}/{total} ({right / total:.0%}) right, {wrong} wrong, {omitted} omitted")
        print(f"  {name:<24}" + "; ".join(cells))
        for need in content.NEEDS:
            hit = sum(need in got and need in want for (_, want, *_), got in zip(rows, predicted))
            print(
                f"    {need:<10} precision {hit}/{sum(need in got for got in predicted)}"
                f"  recall {hit}/{sum(need in want for _, want, *_ in rows)}  (both halves)"
            )
        if args.verbose:
            for (unit, want, split, case), got in zip(rows, predicted):
                if got != want:
                    print(f"      {split} {case} / {unit.section}: got {sorted(got)}, labelled {sorted(want)}: {unit.plain[:70]}…")
    speed(lambda path: meaning.MeaningSorter(meaning.SentenceVectors(path)))


if __name__ == "__main__":
    main()
