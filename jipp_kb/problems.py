"""Problems found in content, and the three ways of printing them.

Every check in jipp-kb reports a :class:`Problem` instead of raising, so one
run can list every defect in every file (``path:line: field: message``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    severity: str = "error"
    """'error' (the file is left out of index and site) or 'warning' (reported by check; --strict makes it an error)."""

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {self.field}: {tag}{self.message}"


def format_problems(problems: list[Problem], fmt: str, lang: str = "en") -> str:
    """Render problems as ``text``, ``json`` or ``github`` (workflow annotations), messages in ``lang`` ('en' or 'id')."""
    from jipp_kb.messages import translate

    problems = [translate(p, lang) for p in sorted(problems)]
    if fmt == "json":
        return json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(
            f"::{p.severity} file={p.path},line={p.line},title={_gh_escape(p.field)}::{_gh_escape(p.message)}" for p in problems
        )
    warning = "peringatan: " if lang == "id" else "warning: "
    return "\n".join(f"{p.path}:{p.line}: {p.field}: {warning if p.severity == 'warning' else ''}{p.message}" for p in problems)


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(",", "%2C").replace("::", "%3A%3A")


def summary(files: int, errors: int, warnings: int) -> str:
    """The last line of ``check``: counts in Indonesian, then English, each with its right plural."""
    id_ = f"{files} berkas diperiksa, {errors} kesalahan, {warnings} peringatan"
    en = f"{plural(files, 'file')} checked, {plural(errors, 'error')}, {plural(warnings, 'warning')}"
    return f"{id_} / {en}"


def plural(count: int, word: str) -> str:
    """'1 source', '2 sources' (English nouns with a plain -s plural)."""
    return f"{count:,} {word}{'s' * (count != 1)}"
