"""Query-time glossary: acronyms and synonyms officials write interchangeably.

``corpus/_glossary.yml`` says that *KTP-el* ~ *kartu tanda penduduk
elektronik* and *keluhan* ~ *pengaduan*. A query that contains any form gets
all the others as optional alternatives, so the index never has to change
when the glossary grows.
"""

from __future__ import annotations

from jipp_kb.analysis import Analysis


class Glossary:
    """The entries' forms analysed once (doing it for every query cost ~15 ms of a 40 ms search)."""

    def __init__(self, entries: list[dict], analysis: Analysis) -> None:
        self.analysis = analysis
        self.entries: list[list[list[str]]] = []
        self.by_word: dict[str, list[int]] = {}
        """First word of a form -> entries having it: a query is checked only against entries it can contain."""
        for entry in entries:
            forms = [entry["term"], *(entry.get("synonyms") or [])]
            if entry.get("expansion"):
                forms.append(entry["expansion"])
            analysed = [w for w in (analysis.words(f) for f in forms) if w]
            for form in analysed:
                self.by_word.setdefault(form[0], []).append(len(self.entries))
            self.entries.append(analysed)

    def expansions(self, query: str) -> list[str]:
        """Alternative phrases for every glossary entry a query mentions (sorted, unique)."""
        words = self.analysis.words(query)
        found: set[str] = set()
        for e in sorted({e for w in words for e in self.by_word.get(w, ())}):
            forms = self.entries[e]
            if any(_contains(words, fw) for fw in forms):
                found.update(" ".join(fw) for fw in forms if not _contains(words, fw))
        return sorted(found)


def _contains(words: list[str], seq: list[str]) -> bool:
    n = len(seq)
    return any(words[i : i + n] == seq for i in range(len(words) - n + 1))
