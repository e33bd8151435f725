"""The search page's word lists, written at build time as one static JSON file.

Pagefind (the in-browser index) knows neither the Indonesian stop words nor
the glossary. ``site/static/search.js`` reads them from this file to drop
function words from a query and to search every form of a glossary entry,
so "antrean" also finds cases that write "antrian" and "keluhan" finds
"pengaduan", as the keyword engine of ``jipp-kb search`` does. The corpus's
own words (commonest first) let it tell a typo from a rare word and correct
it ("kelahran" -> "kelahiran"); Pagefind has no such list to give. The
tables of query understanding (places, awards, urusan, replication) let the
page read a query as ``jipp-kb search`` does.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

from jipp_kb.analysis import plain_text, stopwords
from jipp_kb.corpus import Case
from jipp_kb.schema import GlossaryEntry
from jipp_kb.understand import tables

FILE = "search-terms.json"
"""Its name under ``static/``."""
MIN_WORD = 4
"""Shorter words are not corrected (too many neighbours), so they need not be listed."""
LETTERS = re.compile(rf"[^\W\d_]{{{MIN_WORD},}}")
"""Runs of letters: what the keyword analysis would keep of a word, in one C-level pass (the build runs this over every case)."""


def search_terms(glossary: list[GlossaryEntry], cases: list[Case], cache: Path | None = None) -> bytes:
    """``{"stopwords": [...], "groups": [[form, ...], ...], "words": [...], "understand": {...}}``.

    Each group is one glossary entry's forms, lowercased; ``words`` are the
    words of the cases (unstemmed, letters only, at least MIN_WORD long), by the
    number of cases using them, most first. ``cache`` (a JSON file) keeps each
    case's words by its digest: a rebuild after one change reads one case, not all
    (about 6 s of a rebuild at 10,000 cases).
    """
    groups = []
    for entry in glossary:
        forms = [entry.term, *([entry.expansion] if entry.expansion else []), *entry.synonyms]
        unique = list(dict.fromkeys(" ".join(f.lower().split()) for f in forms if f.strip()))
        if len(unique) > 1:
            groups.append(unique)
    known = _read(cache)
    fresh: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for case in cases:
        words = known.get(case.digest)
        if words is None:
            words = sorted(set(LETTERS.findall(_text(case).lower())))
        fresh[case.digest] = words
        counts.update(words)
    if cache is not None and fresh.keys() != known.keys():
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(fresh, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        tmp.replace(cache)
    stops = stopwords()
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if w not in stops]
    data = {"stopwords": sorted(stopwords()), "groups": groups, "words": words, "understand": tables()}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _text(case: Case) -> str:
    m = case.meta
    return " ".join([m.title, m.acronym_expansion or "", m.summary, " ".join(m.tags), *(plain_text(s) for s in case.sections.values())])


def _read(cache: Path | None) -> dict[str, list[str]]:
    try:
        data = json.loads(cache.read_text(encoding="utf-8")) if cache else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
