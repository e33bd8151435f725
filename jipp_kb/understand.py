"""Query understanding: places, awards, urusan and replication named in the query's own words.

"inovasi kesehatan di sulawesi selatan" becomes the search "inovasi kesehatan"
with the filter province = Sulawesi Selatan (shown to the user, who can remove
it), and a preference for cases whose urusan is kesehatan. A place becomes a
filter only when the words cannot mean anything else: a province name or short
form, or a kabupaten/kota written with its prefix or in several words; a bare
one-word regency name ("Batu", "Bone") is only a preference.

The static site's search page applies the same rules in the browser
(``site/static/search.js``) from the tables of :func:`tables`; a browser test
checks that both read the same queries alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jipp_kb import vocab
from jipp_kb.analysis import stopwords

WORD = re.compile(r"[\w.]+", re.UNICODE)
PREFIXES = {"kabupaten": "Kabupaten", "kab": "Kabupaten", "kab.": "Kabupaten", "kota": "Kota"}
LINKS = {"di", "dari", "provinsi", "prov", "prov.", "wilayah", "daerah", "in", "from"}
"""Words that only introduce a place; dropped with it."""
REPLICATION = re.compile(r"\b(?:(?:di|me)?replikasi(?:kan)?|direplikasi|ditiru|meniru|diadopsi|replicat\w*|copied)\b", re.IGNORECASE)
ELSEWHERE = {"daerah", "lain", "other", "regions", "elsewhere", "sudah", "telah", "oleh", "ke", "by"}
"""Words around a replication phrase ("sudah direplikasi daerah lain") that say nothing more."""
GENERIC = {"inovasi", "innovation", "innovations", "pemenang", "juara", "peraih", "finalis", "winner", "winners", "finalist", "finalists"}
"""Words that, beside a place or an award, ask for nothing more: "inovasi pemenang UNPSA" asks for the list of UNPSA cases."""
SYNTAX = re.compile(r'"[^"]*"?|\w+:(?:"[^"]*"?|\S+)')
"""The user's own query syntax, "a phrase" and field:value: its words are searched as written, never read as places or awards."""
MAX_WORDS = 4
AMBIGUOUS_URUSAN = {"desa", "sosial", "kia", "daerah", "planning"}
"""Words that name an urusan but usually mean something else in a query ("media sosial", "sekolah desa", "KIA" the child ID card, "family planning")."""


@dataclass
class Understood:
    text: str
    """What the engines search: the query without the words that became filters."""
    filters: dict[str, list[str]] = field(default_factory=dict)
    prefer_urusan: list[str] = field(default_factory=list)
    prefer_regency: list[str] = field(default_factory=list)
    prefer_replicated: bool = False
    applied: list[dict] = field(default_factory=list)
    """[{"filter": name, "value": value, "words": as written}], for the user to see and remove."""
    listing: bool = False
    """The query names only filters or replication ("KIPP Top 45", "inovasi yang sudah direplikasi"): every such case is an answer."""


def understand(text: str) -> Understood:
    matches = list(WORD.finditer(text))
    words = [m.group(0) for m in matches]
    lower = [w.lower().strip(".") or w.lower() for w in words]
    syntax = [m.span() for m in SYNTAX.finditer(text)]
    locked = [any(a <= m.start() < b for a, b in syntax) for m in matches]
    used = list(locked)  # a locked word is never read as a place or an award, and stays in the text
    out = Understood(text)

    def take(i: int, n: int) -> str:
        for k in range(i, i + n):
            used[k] = True
        if i > 0 and lower[i - 1] in LINKS and not used[i - 1]:
            used[i - 1] = True
        return " ".join(words[i : i + n])

    def add(name: str, value: str, written: str) -> None:
        if value not in out.filters.setdefault(name, []):
            out.filters[name].append(value)
            out.applied.append({"filter": name, "value": value, "words": written})

    provinces, regencies, urusan = vocab.provinces(), vocab.regencies(), vocab.urusan()
    for n in range(MAX_WORDS, 0, -1):
        for i in range(len(words) - n + 1):
            if any(used[i : i + n]):
                continue
            phrase = " ".join(lower[i : i + n])
            if phrase in provinces and lower[i] not in PREFIXES:
                add("province", provinces.resolve(phrase), take(i, n))
            elif phrase in regencies and (n > 1 or lower[i] in PREFIXES):
                if n == 2 and lower[i] in PREFIXES and f"{PREFIXES[lower[i]]} {words[i + 1]}" not in regencies:
                    continue
                add("regency", regencies.resolve(phrase), take(i, n))
            elif n == 1 and len(phrase) > 3 and phrase in regencies:
                out.prefer_regency.append(regencies.resolve(phrase))
    _awards(words, lower, used, take, add)
    for n in range(3, 0, -1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(lower[i : i + n])
            if any(locked[i : i + n]) or phrase in AMBIGUOUS_URUSAN or phrase not in urusan:
                continue
            if (name := urusan.resolve(phrase)) not in out.prefer_urusan:
                out.prefer_urusan.append(name)
    if REPLICATION.search(text):
        out.prefer_replicated = True
        for i, w in enumerate(lower):
            if REPLICATION.fullmatch(w) or w in ELSEWHERE:
                used[i] = True
    taken = [u and not k for u, k in zip(used, locked)]
    rest = text
    for m, t in zip(reversed(matches), reversed(taken)):  # the words taken leave the text; quotes, fields and hyphens stay
        if t:
            rest = rest[: m.start()] + rest[m.end() :]
    rest = " ".join(rest.split())
    leftover = [w for w, t in zip(lower, taken) if not t]
    out.listing = bool(out.filters or out.prefer_replicated) and all(w in GENERIC or w in stopwords() for w in leftover)
    out.text = rest if re.search(r"\w", rest) else text
    return out


def _awards(words: list[str], lower: list[str], used: list[bool], take, add) -> None:
    names = vocab.award_names()
    for n in range(3, 0, -1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(lower[i : i + n])
            if any(used[i : i + n]) or phrase not in names:
                continue
            award = names.resolve(phrase)
            tiers = vocab.Vocabulary("tier", vocab.awards()[award]["tiers"])
            k = next((k for k in (2, 1) if i + n + k <= len(words) and " ".join(lower[i + n : i + n + k]) in tiers), 0)
            if k:
                add("award", f"{award} {tiers.resolve(' '.join(lower[i + n : i + n + k]))}", take(i, n + k))
            else:
                add("award", award, take(i, n))
    for i in range(len(words) - 1):
        if not used[i] and lower[i] == "top" and lower[i + 1].isdigit() and f"Top {lower[i + 1]}" in vocab.awards()["KIPP"]["tiers"]:
            add("award", f"KIPP Top {lower[i + 1]}", take(i, 2))


def tables() -> dict:
    """The vocabularies and word lists :func:`understand` uses, as JSON for the search page.

    A vocabulary is ``{"names": [...], "keys": {lookup key: index in names}}``;
    the lookup key is :func:`vocab.Vocabulary`'s (lowercase ASCII letters and
    digits only), so the page matches exactly the spellings this module does.
    """

    def compact(vocabulary: vocab.Vocabulary) -> dict:
        table = vocabulary.table()
        names = sorted(set(table.values()))
        index = {name: i for i, name in enumerate(names)}
        return {"names": names, "keys": {key: index[name] for key, name in table.items()}}

    awards = vocab.awards()
    return {
        "provinces": compact(vocab.provinces()),
        "regencies": compact(vocab.regencies()),
        "urusan": compact(vocab.urusan()),
        "awards": compact(vocab.award_names()),
        "tiers": {name: compact(vocab.Vocabulary("tier", award["tiers"])) for name, award in sorted(awards.items())},
        "kipp_tiers": awards["KIPP"]["tiers"],
        "prefixes": PREFIXES,
        "links": sorted(LINKS),
        "elsewhere": sorted(ELSEWHERE),
        "ambiguous_urusan": sorted(AMBIGUOUS_URUSAN),
        "replication": REPLICATION.pattern,
        "max_words": MAX_WORDS,
        "syntax": SYNTAX.pattern,
    }
