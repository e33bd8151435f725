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
import multiprocessing
import os
import re
import sqlite3
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
WORDS_VERSION = 2
"""Bump when ``case_words`` changes: the cached words of every case are read again (2: the English summary's words too)."""
ENGLISH = "en:"
"""Marks a word of a case's English summary in ``case_words`` (a prefix no run of letters can have)."""
LETTERS = re.compile(rf"[^\W\d_]{{{MIN_WORD},}}")
"""Runs of letters: what the keyword analysis would keep of a word, in one C-level pass (the build runs this over every case)."""


def search_terms(glossary: list[GlossaryEntry], cases: list[Case], cache: Path | None = None) -> bytes:
    """``{"stopwords": [...], "english_stopwords": [...], "groups": [[form, ...], ...], "words": [...], "english": [...], "understand": {...}}``.

    Each group is one glossary entry's forms, lowercased; ``words`` are the
    words of the cases (unstemmed, letters only, at least MIN_WORD long), by the
    number of cases using them, most first; ``english`` the other words of their
    English summaries, which the English search page knows too (not typos of
    Indonesian words: "visits" is not "visi"), and whose function words
    (``english_stopwords``) it drops. ``cache`` (an SQLite file) keeps each
    case's words by its digest and the counts of the last build: a rebuild after
    one change reads one case and adjusts the counts, instead of re-reading
    every case (about 6 s at 10,000 cases) or every case's cached words (0.6 s).
    """
    groups = []
    for entry in glossary:
        forms = [entry.term, *([entry.expansion] if entry.expansion else []), *entry.synonyms]
        unique = list(dict.fromkeys(" ".join(f.lower().split()) for f in forms if f.strip()))
        if len(unique) > 1:
            groups.append(unique)
    counts = _WordCounts(cache).count(cases)
    stops = stopwords()
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if w not in stops and not w.startswith(ENGLISH)]
    english = sorted({w.removeprefix(ENGLISH) for w in counts if w.startswith(ENGLISH)} - set(words) - stops)
    data = {
        "stopwords": sorted(stops),
        "english_stopwords": sorted(stopwords("en")),
        "groups": groups,
        "words": words,
        "english": english,
        "understand": tables(),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def case_words(case: Case) -> list[str]:
    """The distinct words of one case that the list keeps, sorted, then those of its English summary marked ENGLISH."""
    english = sorted({ENGLISH + w for w in LETTERS.findall(case.meta.summary_en.lower())})
    return sorted(set(LETTERS.findall(_text(case).lower()))) + english


class _WordCounts:
    """Number of cases using each word, kept up to date from the last build's counts by the cases added and removed."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def count(self, cases: list[Case]) -> Counter[str]:
        by_digest = {case.digest: case for case in cases}
        if self.path is None:
            return Counter(word for words in _all_words(list(by_digest.values())) for word in words)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS words (digest TEXT PRIMARY KEY, words TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            if db.execute("SELECT value FROM state WHERE name = 'version'").fetchone() != (str(WORDS_VERSION),):
                db.execute("DELETE FROM words")  # read by another version of case_words
                db.execute("DELETE FROM state")
                db.execute("INSERT INTO state VALUES ('version', ?)", (str(WORDS_VERSION),))
            return self._count(db, by_digest)
        finally:
            db.close()

    def _count(self, db: sqlite3.Connection, by_digest: dict[str, Case]) -> Counter[str]:
        row = db.execute("SELECT value FROM state WHERE name = 'last'").fetchone()
        last = json.loads(row[0]) if row else None
        counts: Counter[str] = Counter()
        if last is not None:
            before = set(last["digests"])
            added, removed = sorted(by_digest.keys() - before), sorted(before - by_digest.keys())
            if not added and not removed:
                return Counter(last["counts"])
            stored = _stored(db, added + removed)
            if all(d in stored for d in removed):
                counts.update(last["counts"])
            else:  # the words of a removed case are lost: count from scratch
                last = None
        if last is None:
            added, removed = sorted(by_digest), []
            stored = _stored(db, added)
        words = {d: json.loads(stored[d]) for d in added if d in stored}
        fresh = [d for d in added if d not in stored]
        words |= dict(zip(fresh, _all_words([by_digest[d] for d in fresh]), strict=True))
        new_rows = [(d, json.dumps(words[d], ensure_ascii=False)) for d in fresh]
        for d in removed:
            counts.subtract(json.loads(stored[d]))
        for d in added:
            counts.update(words[d])
        counts = Counter({w: n for w, n in counts.items() if n > 0})
        db.executemany("INSERT OR REPLACE INTO words VALUES (?, ?)", new_rows)
        state = {"digests": sorted(by_digest), "counts": dict(sorted(counts.items()))}
        db.execute("INSERT OR REPLACE INTO state VALUES ('last', ?)", (json.dumps(state, ensure_ascii=False, separators=(",", ":")),))
        (rows,) = db.execute("SELECT COUNT(*) FROM words").fetchone()
        if rows > 1.5 * len(by_digest) + 100:  # forget the words of cases long gone
            db.execute("CREATE TEMP TABLE keep (digest TEXT PRIMARY KEY)")
            db.executemany("INSERT INTO keep VALUES (?)", ((d,) for d in by_digest))
            db.execute("DELETE FROM words WHERE digest NOT IN (SELECT digest FROM keep)")
        db.commit()
        return counts


PARALLEL_CASES = 400
"""From this many cases to read, two or more processes share the work (a cold build at 10,000 cases spent 4 s here)."""
_PENDING: list[Case] = []
"""The cases forked workers read; set only while a pool runs."""


def _all_words(cases: list[Case]) -> list[list[str]]:
    """``case_words`` of each case, in forked processes when there are many."""
    global _PENDING
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(cases) < PARALLEL_CASES or "fork" not in multiprocessing.get_all_start_methods():
        return [case_words(case) for case in cases]
    _PENDING = cases
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_words_of, range(len(cases)), chunksize=max(1, len(cases) // (workers * 8)))
    finally:
        _PENDING = []


def _words_of(index: int) -> list[str]:
    return case_words(_PENDING[index])


def _stored(db: sqlite3.Connection, digests: list[str]) -> dict[str, str]:
    """Cached word lists (JSON) of these digests, where there are any."""
    found: dict[str, str] = {}
    for i in range(0, len(digests), 900):  # SQLite's limit on bound parameters
        chunk = digests[i : i + 900]
        found.update(db.execute(f"SELECT digest, words FROM words WHERE digest IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    return found


def _text(case: Case) -> str:
    m = case.meta
    return " ".join([m.title, m.acronym_expansion or "", m.summary, " ".join(m.tags), *(plain_text(s) for s in case.sections.values())])
