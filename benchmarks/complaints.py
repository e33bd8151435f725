"""Quality and speed of `jipp-kb complaints` (numbers in docs/complaints.md).

    python benchmarks/complaints.py quality        # the labelled test set against the real corpus (needs jipp-kb index)
    python benchmarks/complaints.py speed [N]      # N complaints (default 10,000) made by varying the test set, whole command

quality: purity and adjusted Rand index of the themes against the labels of
tests/data/complaints/complaints.csv; for each theme its majority label, and
whether >= 2 of its top 3 innovations are judged relevant in
tests/data/complaints/judgments.yml (judged before the matcher ran); gaps and
urusan against the same file.
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "tests" / "data" / "complaints"
JIPP = [sys.executable, "-m", "jipp_kb"]


def run(path: Path, out: Path, *extra: str) -> tuple[dict, float]:
    """The command's report, its wall-clock seconds, and (printed) its CPU seconds: on a shared machine wall time says more about the neighbours."""
    clock, cpu = time.perf_counter(), _child_cpu()
    done = subprocess.run([*JIPP, "complaints", str(path), "-o", str(out), "--json", *extra], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - clock
    if done.returncode:
        sys.exit(done.stderr)
    print(f"wall {seconds:.1f} s, CPU {_child_cpu() - cpu:.1f} s (user + system), load average {os.getloadavg()[0]:.1f}")
    return json.loads(done.stdout), seconds


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def quality() -> None:
    from sklearn.metrics import adjusted_rand_score

    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        label_of = {n: row["tema"] for n, row in enumerate(csv.DictReader(f), 2)}
    judged = yaml.safe_load((SET / "judgments.yml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        data, seconds = run(SET / "complaints.csv", Path(tmp) / "report", "--no-pdf", "--pack-themes", "0")
    themes = data["themes"]
    predicted = {row: t["rank"] for t in themes for row in t["rows"]}
    rows = sorted(label_of)
    purity = sum(Counter(label_of[r] for r in t["rows"]).most_common(1)[0][1] for t in themes) / len(rows)
    ari = adjusted_rand_score([label_of[r] for r in rows], [predicted[r] for r in rows])
    print(f"{len(rows)} complaints, {len(set(label_of.values()))} labels -> {len(themes)} themes in {seconds:.1f} s")
    print(f"purity {purity:.3f}  adjusted Rand {ari:.3f}  (embedded {data['embedding']['embedded']}, {data['embedding']['tokens']} tokens)")
    covered = good = gap_right = urusan_right = 0
    for t in themes:
        label, n = Counter(label_of[r] for r in t["rows"]).most_common(1)[0]
        relevant = set(judged[label]["relevant"])
        hits = sum(i["id"] in relevant for i in t["innovations"][:3])
        can = len(relevant) >= 2
        covered += can
        good += can and hits >= 2
        nothing = hits == 0
        gap_right += t["gap"] == nothing
        urusan_right += t["urusan"] == judged[label]["urusan"]
        flag = "GAP" if t["gap"] else "   "
        print(f"  {t['rank']:>2} {flag} {label:<16} {n:>3}/{t['count']:<3} relevant {hits}/3  urusan {t['urusan'][:28]:<28} | {t['name']}")
    print(f"matching: >= 2 of top 3 relevant for {good}/{covered} themes the library covers ({good / max(covered, 1):.0%})")
    print(f"gaps flagged right (gap <=> none of the top 3 relevant): {gap_right}/{len(themes)}; urusan right: {urusan_right}/{len(themes)}")


VARIATIONS = [
    "",
    "Mohon segera.",
    "Sudah lapor berkali-kali!",
    "Tolong ditindaklanjuti pak.",
    "Terima kasih.",
    "kapan selesai??",
    "Ini sangat merugikan warga.",
]


def vary(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 6 and rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    if rng.random() < 0.2:
        words = [w.lower() for w in words]
    return " ".join([rng.choice(VARIATIONS[:3]) if rng.random() < 0.2 else "", *words, rng.choice(VARIATIONS)]).strip()


def speed(n: int) -> None:
    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rng = random.Random(10_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"complaints-{n}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            for i in range(n):
                row = dict(rows[i % len(rows)])
                row["id"] = f"LPR-{i:06d}"
                row["isi"] = vary(row["isi"], rng)
                row["tanggal"] = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                writer.writerow(row)
        data, seconds = run(path, Path(tmp) / "report")
    e = data["embedding"]
    print(f"{n} complaints ({data['source']['distinct']} distinct): {seconds:.1f} s for the whole command, PDF and pack included")
    print(f"embedded {e['embedded']} distinct complaints, {e['tokens']} tokens; {len(data['themes'])} themes, {len(data['gaps'])} gaps")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "quality"
    quality() if mode == "quality" else speed(int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)
