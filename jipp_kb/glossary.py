"""Query-time glossary: acronyms and synonyms officials write interchangeably.

``corpus/_glossary.yml`` says that *KTP-el* ~ *kartu tanda penduduk
elektronik* and *keluhan* ~ *pengaduan*. A query that contains any form gets
all the others as optional alternatives, so the index never has to change
when the glossary grows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from jipp_kb.analysis import WORD, Analysis

if TYPE_CHECKING:  # the schema imports pydantic: 0.18 s a cold search does not need
    from jipp_kb.schema import GlossaryEntry


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


def term_finder(entries: Sequence[GlossaryEntry]) -> Callable[[str], list[GlossaryEntry]]:
    """A function giving the entries a text uses (any form, as whole words), in glossary order.

    Acronyms (forms in capitals, such as *AKI* or *ADD*) must appear in
    capitals; other forms match in any case. Words are looked up in a table of
    every form's first word, so a build can run it over every case.
    """
    forms: dict[tuple[str, ...], int] = {}
    for i, entry in enumerate(entries):
        for form in [entry.term, entry.expansion or "", *entry.synonyms]:
            words = tuple(WORD.findall(form)) if form.isupper() else tuple(w.casefold() for w in WORD.findall(form))
            if words and len("".join(words)) >= 2:
                forms.setdefault(words, i)
    by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for words, i in forms.items():
        by_first.setdefault(words[0], []).append((words, i))

    def find(text: str) -> list[GlossaryEntry]:
        exact = WORD.findall(text)
        hits: set[int] = set()
        folded: list[str] | None = None
        for start, word in enumerate(exact):
            lower = word.casefold()
            candidates = by_first.get(word, ())
            if lower != word:
                candidates = [*candidates, *by_first.get(lower, ())]
            for words, i in candidates:
                if i in hits:
                    continue
                n = len(words)
                if n == 1:
                    hits.add(i)
                    continue
                window = tuple(exact[start : start + n])
                if window == words:
                    hits.add(i)
                    continue
                if folded is None:
                    folded = [w.casefold() for w in exact]
                if tuple(folded[start : start + n]) == words:
                    hits.add(i)
        return [entries[i] for i in sorted(hits)]

    return find
