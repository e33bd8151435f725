"""``jipp-kb stats``: what the corpus covers, and which coverage goals it misses."""

from __future__ import annotations

from collections import Counter

from jipp_kb import choices
from jipp_kb.corpus import Corpus

JIPP_PROVINCES = ("Jawa Timur", "Sumatera Selatan", "Sulawesi Selatan")
GOALS = {"cases": 60, "provinces": 20, "per_jipp_province": 8, "urusan": 12, "collections": 6, "replication_pairs": 3}


def corpus_stats(corpus: Corpus) -> dict:
    """Counts by facet (sorted, so output is stable) plus unmet coverage goals."""
    cases = [c.meta for c in corpus.sorted_cases()]
    count = lambda values: dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], str(kv[0]))))  # noqa: E731
    stats = {
        "cases": len(cases),
        "province": count(m.province or "(nasional)" for m in cases),
        "level": count(m.level for m in cases),
        "urusan": count(u for m in cases for u in m.urusan),
        "year_started": dict(sorted(Counter(str(m.year_started or "?") for m in cases).items())),
        "jenis": count(m.jenis for m in cases),
        "status": count(m.status for m in cases),
        "award": count(f"{a.name} {a.tier}" for m in cases for a in m.awards),
        "replication_links": sum(len(m.replicated_by) for m in cases),
        "collections": len(corpus.collections),
        "glossary_terms": len(corpus.glossary),
    }
    stats["unmet"] = unmet_goals(stats, cases)
    return stats


def unmet_goals(stats: dict, cases: list) -> list[str]:
    unmet = []
    if stats["cases"] < GOALS["cases"]:
        unmet.append(f"{stats['cases']} cases; the goal is at least {GOALS['cases']}")
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
    ids = {m.id for m in cases}
    pairs = sum(1 for m in cases for ref in m.replicated_by if ref in ids)
    if pairs < GOALS["replication_pairs"]:
        unmet.append(f"{pairs} replication pairs inside the corpus; the goal is several (at least {GOALS['replication_pairs']})")
    if stats["collections"] < GOALS["collections"]:
        unmet.append(f"{stats['collections']} collections; the goal is at least {GOALS['collections']}")
    return unmet


def format_stats(stats: dict) -> str:
    out = [f"cases: {stats['cases']}"]
    for key in ("province", "level", "urusan", "year_started", "jenis", "status", "award"):
        out.append(f"\n{key} ({len(stats[key])}):")
        out += [f"  {v:>4}  {k}" for k, v in stats[key].items()]
    out.append(f"\nreplication links: {stats['replication_links']}")
    out.append(f"collections: {stats['collections']}")
    out.append(f"glossary terms: {stats['glossary_terms']}")
    out.append("\ncoverage: " + ("all goals met" if not stats["unmet"] else "goals not met:"))
    out += [f"  - {u}" for u in stats["unmet"]]
    return "\n".join(out)
