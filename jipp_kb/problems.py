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

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


def format_problems(problems: list[Problem], fmt: str) -> str:
    """Render problems as ``text``, ``json`` or ``github`` (workflow annotations)."""
    problems = sorted(problems)
    if fmt == "json":
        return json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(f"::error file={p.path},line={p.line},title={_gh_escape(p.field)}::{_gh_escape(p.message)}" for p in problems)
    return "\n".join(str(p) for p in problems)


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(",", "%2C").replace("::", "%3A%3A")
