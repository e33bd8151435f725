"""Indonesian text analysis shared by indexing and querying.

Tokenize (keeping numbers, and reduplication such as *anak-anak* as one
word), lowercase, drop stop words, stem with Snowball Indonesian (the same
stemmer Pagefind uses on the static site, so both searches agree).
Pure Python + PyStemmer: the search engine wraps it, it does not import one.

Sastrawi (dictionary-based, more accurate on dictionary words) can be chosen
for comparison in ``jipp-kb eval --ablations`` when installed; it is not the
default: it scored no better on the judged queries, is ~100× slower, and its
dictionary is CC BY-NC-SA (docs/search.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import Stemmer

WORD = re.compile(r"\w+(?:[-‐]\w+)*", re.UNICODE)


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees: no citation markers, link targets or emphasis marks."""
    text = re.sub(r"\[(\d+)\](?!\()", "", markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}(#{1,6}|[-*+]|\d+\.|>)\s+", "", text, flags=re.MULTILINE)
    return re.sub(r"[*_`|]+", "", text)


@cache
def stopwords(language: str = "id") -> frozenset[str]:
    text = resources.files("jipp_kb").joinpath("data", f"stopwords-{language}.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


STEMMERS = ("snowball", "sastrawi", "none")
SNOWBALL = {"id": "indonesian", "en": "english"}


@cache
def _stem_function(name: str, language: str = "id"):
    if name == "snowball" or language != "id":  # Sastrawi is Indonesian only; English text gets Snowball English
        stemmer = Stemmer.Stemmer(SNOWBALL[language])
        stemmer.maxCacheSize = 50_000  # a corpus has a few tens of thousands of word forms
        return stemmer.stemWord
    if name == "sastrawi":
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        return cache(StemmerFactory().create_stemmer().stem)
    raise ValueError(f"unknown stemmer '{name}'; use one of {', '.join(STEMMERS)}")


@dataclass(frozen=True)
class Analysis:
    """Settings of the pipeline; stored with the index so a change forces a rebuild."""

    stemmer: str = "snowball"
    stop: bool = True
    language: str = "id"
    """"en" for the English summaries: Snowball English and English function words."""

    @property
    def signature(self) -> str:
        return f"{self.language}-v3-stemmer={self.stemmer}-stop={int(self.stop)}"

    def terms(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield (term, start char, end char) for each indexed word of ``text``."""
        stops = stopwords(self.language) if self.stop else frozenset()
        stem = self.stem_word
        for match in WORD.finditer(text):
            word = match.group(0).lower()
            if "-" not in word and "‐" not in word:  # the common case, kept fast
                if len(word) > 1 and word not in stops:
                    yield (stem(word), match.start(), match.end())
                continue
            for part, start, end in _split(word, match.start()):
                if len(part) > 1 and part not in stops:
                    yield (stem(part), start, end)

    def stem_word(self, word: str) -> str:
        if self.stemmer == "none" or not word.isalpha():
            return word
        return _stem_function(self.stemmer, self.language)(word)

    def words(self, text: str) -> list[str]:
        """Unstemmed, lowercased words without stop words: for spelling and glossary lookup."""
        stops = stopwords(self.language) if self.stop else frozenset()
        return [w for m in WORD.finditer(text) for w, _, _ in _split(m.group(0).lower(), m.start()) if len(w) > 1 and w not in stops]


def _split(word: str, offset: int) -> list[tuple[str, int, int]]:
    """Reduplication (anak-anak, buku-buku) stays one word, the base; other hyphens split."""
    parts = re.split(r"[-‐]", word)
    if len(parts) == 2 and parts[0] == parts[1]:
        return [(parts[0], offset, offset + len(word))]
    out, pos = [], offset
    for part in parts:
        out.append((part, pos, pos + len(part)))
        pos += len(part) + 1
    return out
