"""Quality and speed of `jipp-kb complaints` (numbers in docs/complaints.md).

    python benchmarks/complaints.py quality [INDEX] # the labelled test set against the real corpus (needs jipp-kb index)
    python benchmarks/complaints.py speed [N]      # N complaints (default 10,000) made by varying the test set, whole command
    python benchmarks/complaints.py tune [INDEX]   # settings chosen on the tune half, measured on the test half

quality: purity and adjusted Rand index of the themes against the labels of
tests/data/complaints/complaints.csv; for each theme its majority label, and
whether >= 2 of its top 3 innovations are judged relevant in
tests/data/complaints/judgments.yml (judged before the matcher ran); gaps and
urusan against the same file.

tune: the labelled set split in two halves, stratified by theme, by a stable
hash of the id (:func:`halves`; copies of one complaint stay together under
the smallest of their ids, so no text is in both halves). Every consensus
setting already tried (:data:`SETTINGS`) is run on the tune half; the one
with the best purity there (ARI breaking ties) is then measured once on the
test half — purity, ARI and matching — with the others' test numbers printed
after, for the record, not for choosing. The way a theme's innovations are
asked for (:data:`QUERIES`) is chosen the same way, by matching pooled over
the themes of every setting on the tune half (one run's 13-18 themes are too
few: one theme is 8 points). Runs in one process against INDEX (default: the
config's index) with each complaint embedded once.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
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


def quality(index: Path | None) -> None:
    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        label_of = {n: row["tema"] for n, row in enumerate(csv.DictReader(f), 2)}
    with tempfile.TemporaryDirectory() as tmp:
        extra = ["--index-dir", str(index.resolve())] if index else []
        data, seconds = run(SET / "complaints.csv", Path(tmp) / "report", "--no-pdf", "--pack-themes", "0", *extra)
    print(f"{len(label_of)} complaints, {len(set(label_of.values()))} labels -> {len(data['themes'])} themes in {seconds:.1f} s")
    score(data, label_of)


def clusters(data: dict, label_of: dict[int, str]) -> tuple[float, float]:
    """Purity and adjusted Rand index of the report's themes against the labels (by file row)."""
    from sklearn.metrics import adjusted_rand_score

    themes = data["themes"]
    predicted = {row: t["rank"] for t in themes for row in t["rows"]}
    rows = sorted(label_of)
    purity = sum(Counter(label_of[r] for r in t["rows"]).most_common(1)[0][1] for t in themes) / len(rows)
    return purity, adjusted_rand_score([label_of[r] for r in rows], [predicted[r] for r in rows])


def score(data: dict, label_of: dict[int, str]) -> None:
    """Print purity, ARI, and per theme: majority label, judged-relevant innovations in its top 3, gap and urusan."""
    judged = yaml.safe_load((SET / "judgments.yml").read_text(encoding="utf-8"))
    themes = data["themes"]
    purity, ari = clusters(data, label_of)
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


SETTINGS = [
    # (views, word weight, SVD dimensions, seeds, sector weight, English neighbours): the rows of docs/complaints.md's
    # tables, in the order they were tried; the first eight before sectors and English neighbours existed
    (("words", "meaning", "both"), 1.5, 30, 12, 0.0, 0),
    (("words", "meaning", "both"), 1.5, 50, 4, 0.0, 0),
    (("words", "both"), 1.5, 50, 4, 0.0, 0),
    (("words", "both"), 1.5, 30, 8, 0.0, 0),
    (("words", "meaning", "both"), 1.0, 30, 12, 0.0, 0),
    (("words", "meaning", "both"), 2.0, 30, 12, 0.0, 0),
    (("words", "meaning", "both"), 1.5, 80, 12, 0.0, 0),
    (("words", "meaning", "both"), 1.5, 50, 8, 0.0, 0),
    # English complaints take the words of their nearest Indonesian ones by meaning
    (("words", "both"), 1.5, 30, 8, 0.0, 3),
    (("words", "both"), 1.5, 30, 8, 0.0, 5),
    (("words", "both"), 1.5, 30, 8, 0.0, 10),
    (("words", "both"), 2.0, 30, 8, 0.0, 0),
    (("words", "both"), 2.0, 30, 8, 0.0, 10),
    (("words", "meaning", "both"), 1.5, 30, 12, 0.0, 5),
    (("words", "meaning", "both"), 1.5, 30, 12, 0.0, 10),
    (("words", "meaning", "both"), 2.0, 30, 12, 0.0, 10),
    # the urusan a complaint names, beside its words
    (("words", "both"), 1.5, 30, 8, 0.5, 0),
    (("words", "both"), 1.5, 30, 8, 1.0, 0),
    (("words", "both"), 1.5, 30, 8, 2.0, 0),
    (("words", "both"), 1.5, 30, 8, 0.35, 0),
    (("words", "both"), 1.5, 30, 8, 0.7, 0),
    (("words", "both"), 1.5, 30, 8, 0.25, 10),
    (("words", "both"), 1.5, 30, 8, 0.35, 10),
    (("words", "both"), 1.5, 30, 8, 0.5, 10),
    (("words", "both"), 1.5, 30, 8, 0.7, 10),
    (("words", "both"), 1.5, 30, 8, 1.0, 10),
    (("words", "both"), 1.5, 30, 8, 2.0, 10),
    (("words", "both"), 1.5, 30, 8, 0.35, 5),
    (("words", "both"), 1.5, 30, 8, 0.5, 5),
    (("words", "both"), 1.5, 30, 8, 0.7, 5),
    (("words", "meaning", "both"), 1.5, 30, 12, 0.5, 10),
    (("words", "both"), 2.0, 30, 8, 0.5, 10),
    (("words", "both"), 1.0, 30, 8, 0.5, 10),
]


def halves(rows: list[dict]) -> dict[str, str]:
    """id -> "tune" or "test": within each theme, its complaints ordered by the SHA-1 of their id, the first half to tune.

    Copies of one text (the same complaint sent twice) share the smallest of their ids, so they fall in the same half.
    """
    key_of: dict[str, str] = {}
    for row in rows:
        key_of[row["isi"]] = min(key_of.get(row["isi"], row["id"]), row["id"])
    by_theme: dict[str, list[str]] = {}
    for key in sorted(set(key_of.values())):
        theme = next(r["tema"] for r in rows if r["id"] == key)
        by_theme.setdefault(theme, []).append(key)
    half_of_key = {}
    for keys in by_theme.values():
        ordered = sorted(keys, key=lambda k: hashlib.sha1(k.encode()).hexdigest())
        for i, k in enumerate(ordered):
            half_of_key[k] = "tune" if i < len(ordered) // 2 else "test"
    return {row["id"]: half_of_key[key_of[row["isi"]]] for row in rows}


QUERIES = {
    # how match.innovations_for asks the library for a theme: (meaning side from the complaints' mean embedding, urusan
    # preferred, the search's best N re-ranked by the cases' problem statements (0: not), the weight of that closeness)
    "words (one hybrid search; the first version)": (False, False, 0, 0.0),
    "words, urusan preferred": (False, True, 0, 0.0),
    "words + meaning of the complaints": (True, False, 0, 0.0),
    "words + meaning of the complaints, urusan preferred": (True, True, 0, 0.0),
    "words, urusan preferred; best 10 by problem, 0.5": (False, True, 10, 0.5),
    "words, urusan preferred; best 10 by problem, 1.0": (False, True, 10, 1.0),
    "+ meaning, urusan preferred; best 10 by problem, 0.5": (True, True, 10, 0.5),
    "+ meaning, urusan preferred; best 10 by problem, 1.0": (True, True, 10, 1.0),
    "+ meaning, urusan preferred; best 30 by problem, 0.5": (True, True, 30, 0.5),
    "+ meaning, urusan preferred; best 30 by problem, 1.0": (True, True, 30, 1.0),
}


def tune(index: Path | None) -> None:
    import jipp_kb.complaints.match as match_module
    import jipp_kb.complaints.themes as themes_module
    import jipp_kb.vectors as vectors_module
    from jipp_kb.complaints.analyse import Options, analyse_export
    from jipp_kb.complaints.read import read_data
    from jipp_kb.config import load_config

    config = load_config(ROOT / "jipp-kb.toml")
    if index is not None:
        config = dataclasses.replace(config, index_dir=index.resolve())
    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    half_of = halves(rows)
    label_of_id = {r["id"]: r["tema"] for r in rows}
    parts = {}
    for half in ("tune", "test"):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(r for r in rows if half_of[r["id"]] == half)
        parts[half] = out.getvalue().encode("utf-8")
        chosen = [r for r in rows if half_of[r["id"]] == half]
        print(f"{half}: {len(chosen)} complaints, per theme {sorted(Counter(r['tema'] for r in chosen).values())}")

    opened = vectors_module.open_encoder
    cache: dict[str, object] = {}
    encoders: list = []

    def cached_encoder(root, model, threads=None, queries=False):
        """The encoder, opened once, with each text embedded once over all runs."""
        if queries:
            return opened(root, model, threads, queries)
        if not encoders:
            encoders.append(opened(root, model, threads, queries))
        encoder = encoders[0]

        class Cached:
            count_tokens = staticmethod(encoder.count_tokens)

            @staticmethod
            def embed(texts, passage=True, **kwargs):
                import numpy as np

                missing = [t for t in dict.fromkeys(texts) if (passage, t) not in cache]
                if missing:
                    for t, v in zip(missing, encoder.embed(missing, passage=passage, **kwargs)):
                        cache[(passage, t)] = v
                return np.vstack([cache[(passage, t)] for t in texts])

        return Cached()

    vectors_module.open_encoder = cached_encoder

    original = match_module.innovations_for
    answers: dict[tuple[str, ...], dict[str, list[str]]] = {}
    use = {"query": "+ meaning, urusan preferred; best 10 by problem, 0.5"}

    def every_query(searcher, words, case_url, limit=match_module.TOP, meaning=None, urusan="", problem=None, candidates=0):
        """Each theme asked every way of QUERIES (their top 3 kept for :func:`pool`); the report gets the one in use."""
        found = {}
        for q, (m, u, n, weight) in QUERIES.items():
            match_module.PROBLEM_WEIGHT = weight
            found[q] = original(searcher, words, case_url, limit, meaning if m else None, urusan if u else "", problem if n else None, n)
        answers[tuple(words)] = {q: [i.id for i in f[0]] for q, f in found.items()}
        return found[use["query"]]

    match_module.innovations_for = every_query
    judged = yaml.safe_load((SET / "judgments.yml").read_text(encoding="utf-8"))
    pooled = {half: Counter() for half in ("tune", "test")}

    def pool(data: dict, label_of: dict[int, str], half: str) -> None:
        """Over every setting's themes (hundreds, not one run's 13-18): covered themes and, per query, those with >= 2 of 3 relevant."""
        for t in data["themes"]:
            relevant = set(judged[Counter(label_of[r] for r in t["rows"]).most_common(1)[0][0]]["relevant"])
            if len(relevant) >= 2:
                pooled[half]["covered"] += 1
                for q, ids in answers[tuple(t["words"])].items():
                    pooled[half][q] += sum(i in relevant for i in ids[:3]) >= 2

    def show(half: str) -> None:
        covered = pooled[half]["covered"]
        for q in QUERIES:
            print(f"{half}  query {q:<54} >= 2 of top 3 relevant for {pooled[half][q]}/{covered} themes ({pooled[half][q] / covered:.0%})")

    def run_setting(setting, half: str) -> tuple[dict, dict[int, str]]:
        (
            themes_module.VIEWS,
            themes_module.WORD_WEIGHT,
            themes_module.LSA_DIMS,
            themes_module.SEEDS,
            themes_module.SECTOR_WEIGHT,
            themes_module.NEIGHBOURS,
        ) = setting
        export = read_data(parts[half], Path(f"{half}.csv"))
        data, _ = analyse_export(export, config, Options(pack_themes=0))
        return data, {c.row: label_of_id[c.id] for c in export.complaints}

    def name(setting) -> str:
        views, weight, dims, seeds, sectors, neighbours = setting
        return f"{' + '.join(views)}, {weight}, {dims}, {seeds}, sectors {sectors}, English {neighbours}"

    results = []
    for setting in SETTINGS:
        clock = time.perf_counter()
        data, label_of = run_setting(setting, "tune")
        purity, ari = clusters(data, label_of)
        pool(data, label_of, "tune")
        results.append((purity, ari, setting))
        print(
            f"tune  {name(setting):<58} purity {purity:.3f} ARI {ari:.3f} themes {len(data['themes']):>2} ({time.perf_counter() - clock:.0f} s)"
        )
    best = max(results, key=lambda r: (r[0], r[1]))[2]
    print(f"chosen on the tune half: {name(best)}")
    show("tune")
    use["query"] = max(QUERIES, key=lambda q: pooled["tune"][q])
    print(f"query chosen on the tune half (pooled over the settings' themes): {use['query']}")
    data, label_of = run_setting(best, "test")
    print(f"test half, chosen setting ({len(data['themes'])} themes):")
    score(data, label_of)
    pool(data, label_of, "test")
    for setting in SETTINGS:
        if setting != best:
            data, label_of = run_setting(setting, "test")
            purity, ari = clusters(data, label_of)
            pool(data, label_of, "test")
            print(f"test  {name(setting):<58} purity {purity:.3f} ARI {ari:.3f} themes {len(data['themes'])} (not chosen; for the record)")
    show("test")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "quality"
    if mode == "tune":
        tune(Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    else:
        quality(Path(sys.argv[2]) if len(sys.argv) > 2 else None) if mode == "quality" else speed(
            int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
        )
