"""Query-time glossary: acronyms and synonyms officials write interchangeably.

``corpus/_glossary.yml`` says that *KTP-el* ~ *kartu tanda penduduk
elektronik* and *keluhan* ~ *pengaduan*. A query that contains any form gets
all the others as optional alternatives, so the index never has to change
when the glossary grows.
"""

from __future__ import annotations

from jipp_kb.analysis import Analysis


def expansions(query: str, entries: list[dict], analysis: Analysis) -> list[str]:
    """Alternative phrases for every glossary entry a query mentions (sorted, unique)."""
    words = analysis.words(query)
    found: set[str] = set()
    for entry in entries:
        forms = [entry["term"], *(entry.get("synonyms") or [])]
        if entry.get("expansion"):
            forms.append(entry["expansion"])
        form_words = [analysis.words(f) for f in forms]
        if any(fw and _contains(words, fw) for fw in form_words):
            found.update(" ".join(fw) for fw in form_words if fw and not _contains(words, fw))
    return sorted(found)


def _contains(words: list[str], seq: list[str]) -> bool:
    n = len(seq)
    return any(words[i : i + n] == seq for i in range(len(words) - n + 1))
