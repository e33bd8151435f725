"""``jipp-kb stats``: what the corpus covers, and which coverage goals it misses."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from jipp_kb import choices, vocab
from jipp_kb.corpus import Corpus, replication_links

JIPP_PROVINCES = ("Jawa Timur", "Sumatera Selatan", "Sulawesi Selatan")
EVERY_REGENCY_OF = "Sulawesi Selatan"
"""The JIPP province being built now: every kabupaten/kota should have at least one innovation."""
GOALS = {
    "cases": 300,
    "full_cases": 150,
    "provinces": 30,
    "per_jipp_province": 20,
    "urusan": 12,
    "collections": 6,
    "replication_pairs": 10,
    "unknown_status_share": 0.20,
}
STALE_AFTER = timedelta(days=365)


def corpus_stats(corpus: Corpus) -> dict:
    """Counts by facet (sorted, so output is stable) plus unmet coverage goals."""
    cases = [c.meta for c in corpus.sorted_cases()]
    _, replicated_by = replication_links(corpus.sorted_cases())
    count = lambda values: dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], str(kv[0]))))
    stats = {
        "cases": len(cases),
        "depth": count(m.depth for m in cases),
        "province": count(m.province or "(nasional)" for m in cases),
        "level": count(m.level for m in cases),
        "urusan": count(u for m in cases for u in m.urusan),
        "year_started": dict(sorted(Counter(str(m.year_started or "?") for m in cases).items())),
        "jenis": count(m.jenis for m in cases),
        "status": count(m.status for m in cases),
        "award": count(f"{a.name} {a.tier}" for m in cases for a in m.awards),
        "replication_links": sum(len(refs) for refs in replicated_by.values()),
        "collections": len(corpus.collections),
        "glossary_terms": len(corpus.glossary),
    }
    pairs = sum(ref in replicated_by for refs in replicated_by.values() for ref in refs)
    stats["unmet"] = unmet_goals(stats, cases, pairs)
    return stats


def stale(corpus: Corpus, today: date) -> list[dict]:
    """Cases whose status was never confirmed, or last confirmed over a year before ``today``, oldest first."""
    out = []
    for case in corpus.sorted_cases():
        m = case.meta
        confirmed = m.status_confirmed.date if m.status_confirmed else None
        if confirmed is None or today - confirmed > STALE_AFTER:
            out.append({"id": m.id, "status": m.status, "confirmed": confirmed.isoformat() if confirmed else None, "path": case.display})
    return sorted(out, key=lambda r: (r["confirmed"] or "", r["id"]))


def unmet_goals(stats: dict, cases: list, pairs: int) -> list[str]:
    """The coverage goals the corpus misses; ``pairs`` counts replication links between two cases of the corpus."""
    unmet = []
    if stats["cases"] < GOALS["cases"]:
        unmet.append(f"{stats['cases']} cases; the goal is at least {GOALS['cases']}")
    full = [m for m in cases if m.depth == "studi kasus"]
    if len(full) < GOALS["full_cases"]:
        unmet.append(f"{len(full)} full case studies; the goal is at least {GOALS['full_cases']}")
    unknown = sum(1 for m in full if m.status == "tidak diketahui")
    if full and unknown / len(full) > GOALS["unknown_status_share"]:
        unmet.append(
            f"{unknown} of {len(full)} full case studies have status 'tidak diketahui'; the goal is at most {GOALS['unknown_status_share']:.0%}"
        )
    covered = {m.regency for m in cases if m.regency}
    missing = [
        r.name for r in vocab.regions().values() if r.kind != "provinsi" and r.province == EVERY_REGENCY_OF and r.name not in covered
    ]
    if missing:
        unmet.append(f"{EVERY_REGENCY_OF}: no innovation yet from {', '.join(sorted(missing))}")
    provinces = [p for p in stats["province"] if p != "(nasional)"]
    if len(provinces) < GOALS["provinces"]:
        unmet.append(f"{len(provinces)} provinces; the goal is at least {GOALS['provinces']}")
    for p in JIPP_PROVINCES:
        n = stats["province"].get(p, 0)
        if n < GOALS["per_jipp_province"]:
            unmet.append(f"{p} has {n} cases; the goal is at least {GOALS['per_jipp_province']}")
    if len(stats["urusan"]) < GOALS["urusan"]:
        unmet.append(f"{len(stats['urusan'])} urusan; the goal is at least {GOALS['urusan']}")
    for level in choices.LEVELS:
        if level not in stats["level"]:
            unmet.append(f"no case at level '{level}'")
    for jenis in choices.JENIS:
        if jenis not in stats["jenis"]:
            unmet.append(f"no {jenis} case")
    if "berhenti" not in stats["status"]:
        unmet.append("no case with status 'berhenti' (why innovations stop is knowledge too)")
    if pairs < GOALS["replication_pairs"]:
        unmet.append(f"{pairs} replication pairs inside the corpus; the goal is at least {GOALS['replication_pairs']}")
    if stats["collections"] < GOALS["collections"]:
        unmet.append(f"{stats['collections']} collections; the goal is at least {GOALS['collections']}")
    return unmet


def format_stale(rows: list[dict]) -> str:
    lines = [f"{len(rows)} cases whose status was not confirmed in the last 12 months / status belum dikonfirmasi 12 bulan terakhir:"]
    lines += [f"  {r['confirmed'] or 'never':<10}  {r['status']:<16}  {r['path']}" for r in rows]
    return "\n".join(lines)


def format_stats(stats: dict) -> str:
    out = [f"cases: {stats['cases']}"]
    for key in ("depth", "province", "level", "urusan", "year_started", "jenis", "status", "award"):
        out.append(f"\n{key} ({len(stats[key])}):")
        out += [f"  {v:>4}  {k}" for k, v in stats[key].items()]
    out.append(f"\nreplication links: {stats['replication_links']}")
    out.append(f"collections: {stats['collections']}")
    out.append(f"glossary terms: {stats['glossary_terms']}")
    out.append("\ncoverage: " + ("all goals met" if not stats["unmet"] else "goals not met:"))
    out += [f"  - {u}" for u in stats["unmet"]]
    return "\n".join(out)
