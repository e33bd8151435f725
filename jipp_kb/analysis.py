"""Indonesian text analysis shared by indexing and querying.

Tokenize (keeping numbers, and reduplication such as *anak-anak* as one
word), lowercase, drop stop words, stem with Snowball Indonesian (the same
stemmer Pagefind uses on the static site, so both searches agree).
Pure Python + PyStemmer: the search engine wraps it, it does not import one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Iterator

import Stemmer

WORD = re.compile(r"\w+(?:[-‐]\w+)*", re.UNICODE)


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees: no citation markers, link targets or emphasis marks."""
    text = re.sub(r"\[(\d+)\](?!\()", "", markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}(#{1,6}|[-*+]|\d+\.|>)\s+", "", text, flags=re.M)
    return re.sub(r"[*_`|]+", "", text)


@cache
def stopwords() -> frozenset[str]:
    text = resources.files("jipp_kb").joinpath("data", "stopwords-id.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("indonesian")


@dataclass(frozen=True)
class Analysis:
    """Settings of the pipeline; stored with the index so a change forces a rebuild."""

    stem: bool = True
    stop: bool = True

    @property
    def signature(self) -> str:
        return f"id-v2-stem={int(self.stem)}-stop={int(self.stop)}"

    def terms(self, text: str) -> Iterator[tuple[str, int, int]]:
        """Yield (term, start char, end char) for each indexed word of ``text``."""
        stops = stopwords() if self.stop else frozenset()
        for match in WORD.finditer(text):
            for word, start, end in _split(match.group(0).lower(), match.start()):
                if len(word) < 2 or word in stops:
                    continue
                yield (self.stem_word(word), start, end)

    def stem_word(self, word: str) -> str:
        if not self.stem or not word.isalpha():
            return word
        return _stemmer().stemWord(word)

    def words(self, text: str) -> list[str]:
        """Unstemmed, lowercased words without stop words: for spelling and glossary lookup."""
        stops = stopwords() if self.stop else frozenset()
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
