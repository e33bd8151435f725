"""How well the replication checklist sorts sentences into people, budget, regulation and partners.

    .venv/bin/python benchmarks/checklist_accuracy.py

Compares ``jipp_kb.pack.content.needs_of`` (bold labels first, then words)
with hand labels of every sentence and list item of Sumber Daya and
Keberlanjutan in six fixture cases (benchmarks/data/checklist_labels.yml).
Prints the share of units sorted exactly right, precision and recall per
need, and each disagreement.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from jipp_kb.corpus import load_corpus
from jipp_kb.pack import content

HERE = Path(__file__).parent
CORPUS = HERE.parent / "tests" / "data" / "corpus"


def main() -> None:
    corpus = load_corpus(CORPUS)
    labels = yaml.safe_load((HERE / "data" / "checklist_labels.yml").read_text(encoding="utf-8"))
    units = {
        (case.id, section, unit.plain[:60]): unit
        for case in corpus.sorted_cases()
        for section in ("Sumber Daya", "Keberlanjutan")
        for unit in content.units(case.sections[section], section)
    }
    exact, counts = 0, {need: [0, 0, 0] for need in content.NEEDS}  # true positives, predicted, labelled
    for row in labels:
        unit = units[(row["case"], row["section"], row["starts"])]
        got, want = set(content.needs_of(unit)), set(row["needs"])
        exact += got == want
        for need in content.NEEDS:
            counts[need][0] += need in got and need in want
            counts[need][1] += need in got
            counts[need][2] += need in want
        if got != want:
            print(f"  {row['case']} / {row['section']}: got {sorted(got)}, labelled {sorted(want)}: {row['starts']}…")
    print(f"{exact} of {len(labels)} units sorted exactly right ({exact / len(labels):.0%})")
    for need, (hit, predicted, labelled) in counts.items():
        print(f"  {need:<10} precision {hit}/{predicted}  recall {hit}/{labelled}")


if __name__ == "__main__":
    main()
