"""Search filters: one set of rules for the CLI, the API and the site.

Names, choices (the schema's closed lists), aliases ("Sulsel", "Kab.
Gowa", "KIPP Top 45") and year ranges are resolved here; an unknown value is
a :class:`FilterError` that names the nearest valid value.
"""

from __future__ import annotations

from jipp_kb.errors import UsageError
from jipp_kb import choices, vocab

CHOICES: dict[str, tuple[str, ...]] = {
    "level": choices.LEVELS,
    "jenis": choices.JENIS,
    "bentuk": choices.BENTUK,
    "tahapan": choices.TAHAPAN,
    "status": choices.STATUS,
}
NAMES = ("province", "regency", "level", "urusan", "jenis", "bentuk", "tahapan", "status", "award", "sdg", "year")


class FilterError(UsageError):
    """A filter value that matches nothing the library knows; the message suggests the nearest."""


def resolve(raw: dict[str, str | list[str] | tuple[str, ...] | None]) -> dict:
    """Canonical filters from raw values (lists, or one string each); empty values are dropped."""
    out: dict = {}
    for name, values in raw.items():
        if name not in NAMES:
            raise FilterError(f"unknown filter '{name}'; filters are: {', '.join(NAMES)}")
        values = [values] if isinstance(values, (str, int)) else [v for v in (values or []) if str(v).strip()]
        if not values:
            continue
        if name == "year":
            out["year"] = parse_year(str(values[0]))
            continue
        out[name] = sorted({_one(name, str(v).strip()) for v in values})
    return out


def _one(name: str, value: str) -> str:
    try:
        if name == "province":
            return vocab.provinces().resolve(value)
        if name == "regency":
            return vocab.regencies().resolve(value)
        if name == "urusan":
            return vocab.urusan().resolve(value)
        if name == "award":
            return award(value)
    except ValueError as exc:
        raise FilterError(str(exc)) from None
    if name == "sdg":
        if not value.isdigit() or not 1 <= int(value) <= 17:
            raise FilterError(f"sdg '{value}': use a number from 1 to 17")
        return str(int(value))
    choices = CHOICES[name]
    lowered = value.lower()
    if lowered not in choices:
        raise FilterError(f"unknown {name} '{value}'; use one of: {', '.join(choices)}")
    return lowered


def award(text: str) -> str:
    """'KIPP', 'KIPP Top 45' or an alias of the award name, as the index stores it."""
    for name in sorted(vocab.awards(), key=len, reverse=True):
        if text.lower().startswith(name.lower()):
            tier = text[len(name) :].strip()
            return f"{name} {vocab.resolve_tier(name, tier)}" if tier else name
    return vocab.award_names().resolve(text)


def parse_year(text: str) -> tuple[int | None, int | None]:
    """'2019' → (2019, 2019); '2015-2020', '2018-' and '-2015' are ranges (':' works too)."""
    text = text.strip()
    sep = "-" if "-" in text else (":" if ":" in text else "")
    lo, _, hi = text.partition(sep) if sep else (text, "", text)
    try:
        years = (int(lo) if lo.strip() else None, int(hi) if hi.strip() else None)
    except ValueError:
        raise FilterError(f"year '{text}': use YEAR, FROM-TO, FROM- or -TO") from None
    if years == (None, None):
        raise FilterError(f"year '{text}': use YEAR, FROM-TO, FROM- or -TO")
    return years
