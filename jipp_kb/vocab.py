"""Controlled vocabularies (regions, urusan, awards, KIPP categories, SDGs).

They live as data files in ``jipp_kb/data`` and are loaded once. Every lookup
resolves common spellings to the canonical value or raises ``ValueError``
with the nearest valid value, so a typo in front matter becomes
"did you mean 'Kabupaten Luwu Utara'?".
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml


def _data(name: str) -> str:
    return resources.files("jipp_kb").joinpath("data", name).read_text(encoding="utf-8")


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


@dataclass
class Vocabulary:
    """Canonical names plus aliases, matched case- and punctuation-insensitively.

    An alias may point at several names ("Pasuruan" is a kabupaten and a
    kota); resolving it then asks the writer to choose.
    """

    kind: str
    names: list[str]
    aliases: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        canonical = {_key(name): {name} for name in self.names}
        self._table: dict[str, set[str]] = {}
        for alias, target in self.aliases:
            self._table.setdefault(_key(alias), set()).add(target)
        self._table.update(canonical)  # a canonical name always wins over an alias

    def resolve(self, value: str) -> str:
        hits = self._table.get(_key(value), set())
        if len(hits) == 1:
            return next(iter(hits))
        if hits:
            options = " or ".join(repr(h) for h in sorted(hits))
            raise ValueError(f"{self.kind} '{value}' is ambiguous: write {options}")
        raise ValueError(f"unknown {self.kind} '{value}'{self.suggest(value)}")

    def suggest(self, value: str) -> str:
        keys = {k: sorted(v)[0] for k, v in self._table.items() if len(v) == 1}
        close = difflib.get_close_matches(_key(value), list(keys), n=1, cutoff=0.6)
        return f"; did you mean '{keys[close[0]]}'?" if close else ""

    def __contains__(self, value: str) -> bool:
        return len(self._table.get(_key(value), ())) == 1

    def table(self) -> dict[str, str]:
        """Lookup key → name for every spelling that resolves: what the search page needs to match as ``in`` does."""
        return {key: next(iter(names)) for key, names in sorted(self._table.items()) if len(names) == 1}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    kind: str  # provinsi / kabupaten / kota
    province: str  # name of the province (itself for a province)


@cache
def regions() -> dict[str, Region]:
    """All provinces and kabupaten/kota, keyed by canonical name."""
    rows = [r for r in csv.DictReader(line for line in _data("regions.csv").splitlines() if not line.startswith("#"))]
    by_code = {r["code"]: r["name"] for r in rows if r["kind"] == "provinsi"}
    out: dict[str, Region] = {}
    for r in rows:
        province = r["name"] if r["kind"] == "provinsi" else by_code[r["province_code"]]
        out[r["name"]] = Region(r["code"], r["name"], r["kind"], province)
    return out


@cache
def provinces() -> Vocabulary:
    names = sorted(n for n, r in regions().items() if r.kind == "provinsi")
    aliases = list(yaml.safe_load(_data("province_aliases.yml")).items())
    aliases += [(f"{prefix} {n}", n) for n in names for prefix in ("Provinsi", "Prov.")]
    return Vocabulary("province", names, aliases)


@cache
def regencies() -> Vocabulary:
    """Kabupaten/kota; 'Kab. X', 'Kab X' and a bare 'X' resolve where unambiguous."""
    names = sorted(n for n, r in regions().items() if r.kind != "provinsi")
    aliases = []
    for n in names:
        bare = re.sub(r"^(Kabupaten Administrasi|Kabupaten|Kota Administrasi|Kota)\s+", "", n)
        aliases.append((bare, n))
        if n.startswith("Kabupaten"):
            aliases += [(f"Kab. {bare}", n), (f"Kab {bare}", n)]
        else:
            aliases.append((f"Kota {bare}", n))
    return Vocabulary("regency", names, aliases)


@cache
def urusan() -> Vocabulary:
    entries = yaml.safe_load(_data("urusan.yml"))
    aliases = [(a, e["name"]) for e in entries for a in e.get("aliases", [])]
    aliases += [(re.sub(r"\s*\(.*\)$", "", e["en"]), e["name"]) for e in entries]  # "investment (incl. licensing)" is "investment"
    return Vocabulary("urusan", [e["name"] for e in entries], aliases)


@cache
def urusan_english() -> dict[str, str]:
    return {e["name"]: e["en"] for e in yaml.safe_load(_data("urusan.yml"))}


@cache
def kipp_categories() -> Vocabulary:
    return Vocabulary("KIPP category", [e["name"] for e in yaml.safe_load(_data("kipp_categories.yml"))])


@cache
def sdgs() -> dict[int, dict[str, str]]:
    return {e["number"]: {"id": e["id"], "en": e["en"]} for e in yaml.safe_load(_data("sdgs.yml"))}


@cache
def awards() -> dict[str, dict]:
    return {e["name"]: e for e in yaml.safe_load(_data("awards.yml"))}


@cache
def award_names() -> Vocabulary:
    entries = awards().values()
    return Vocabulary("award", [e["name"] for e in entries], [(a, e["name"]) for e in entries for a in e["aliases"]])


def resolve_tier(award: str, tier: str) -> str:
    """Check a tier against the award's list; 'Lainnya' takes any free-text tier."""
    tiers = awards()[award]["tiers"]
    if not tiers:
        return tier
    return Vocabulary(f"tier of {award}", tiers).resolve(tier)
