"""Interface strings of the site, from ``site/i18n/<lang>.yml``.

Every word the theme shows comes from these files, so a translator edits
YAML, never a template. A missing key is an error at build time rather than
a blank on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from jipp_kb.errors import JippError
from jipp_kb import vocab


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: every build reads both string files (~0.5 s in pure Python)."""


class I18nError(JippError, ValueError):
    pass


def load_strings(folder: Path, lang: str) -> dict[str, Any]:
    path = folder / f"{lang}.yml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise I18nError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise I18nError(f"{path}: must be a mapping of keys to strings")
    return data


def flat_keys(data: dict[str, Any]) -> set[str]:
    """Dotted keys of a nested mapping ('nav.home'), to compare languages."""
    return set(flatten(data))


def _tree(data: Any) -> Any:
    return SimpleNamespace(**{k: _tree(v) for k, v in data.items()}) if isinstance(data, dict) else data


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        out.update(flatten(value, name + ".") if isinstance(value, dict) else {name: value})
    return out


@dataclass(frozen=True)
class Strings:
    """Lookup of interface strings and display labels for one language."""

    lang: str
    data: dict[str, Any]
    flat: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "flat", flatten(self.data))
        object.__setattr__(self, "_tree", _tree(self.data))

    def __getattr__(self, name: str) -> Any:
        """``t.case.sources`` in a template: an attribute lookup, much cheaper for Jinja than the call ``t('case.sources')``."""
        try:
            return self.__dict__["_tree"].__dict__[name]
        except KeyError:
            raise AttributeError(f"{self.lang}.yml has no key '{name}'") from None

    def __call__(self, key: str, **values: object) -> str:
        """``t('home.count_cases', n=3)``: the string at ``key``, formatted with ``values``."""
        text = self.flat.get(key)
        if not isinstance(text, str):
            raise I18nError(f"{self.lang}.yml has no string at '{key}'")
        return text.format(**values) if values else text

    def plural(self, key: str, n: int) -> str:
        """``key.one`` or ``key.other``, with ``{n}`` filled in."""
        return self(f"{key}.{'one' if n == 1 else 'other'}", n=n)

    def node(self, key: str) -> Any:
        """The raw value at ``key``: a list or mapping (months, a bulleted list) where ``t(key)`` wants one string."""
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise I18nError(f"{self.lang}.yml has no key '{key}'")
            node = node[part]
        return node

    def value(self, field: str, value: str) -> str:
        """Display label of a controlled value (level, jenis, bentuk, tahapan, status, inisiator, kipp_category)."""
        return self(f"values.{field}.{value}")

    def urusan(self, name: str) -> str:
        return name if self.lang == "id" else vocab.urusan_english().get(name, name)

    def sdg(self, number: int) -> str:
        goal = vocab.sdgs()[number]
        return self("values.sdg", n=number, name=goal[self.lang if self.lang in goal else "en"])

    def date(self, day: date) -> str:
        months = self.node("months")
        return f"{day.day} {months[day.month - 1]} {day.year}"

    def region(self, name: str | None) -> str:
        """Region names are proper nouns; only 'national' is translated."""
        return name or self("values.national")
