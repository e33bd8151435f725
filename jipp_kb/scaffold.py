"""``jipp-kb new``: start a case file from ``corpus/_template.md``."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from slugify import slugify

from jipp_kb.errors import JippError

TEMPLATE = "_template.md"


class ScaffoldError(JippError, ValueError):
    pass


def new_case(corpus: Path, title: str, fields: dict[str, str], today: date) -> Path:
    """Write ``corpus/<slug>.md`` from the template; never overwrite."""
    template = corpus / TEMPLATE
    if not template.exists():
        raise ScaffoldError(f"{template} not found; it is the starting point for new cases")
    slug = slugify(title.split("(")[0], max_length=60, word_boundary=True) or slugify(title, max_length=60)
    if not slug:
        raise ScaffoldError(f"cannot make a file name from the title '{title}'")
    target = corpus / f"{slug}.md"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; edit it, or choose a different title")
    text = template.read_text(encoding="utf-8")
    values = {"id": slug, "title": _quote(title), "last_reviewed": today.isoformat(), **{k: _quote(v) for k, v in fields.items() if v}}
    for key, value in values.items():
        text = re.sub(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^(\s+accessed:).*$", rf"\g<1> {today.isoformat()}", text, flags=re.MULTILINE)
    target.write_text(text, encoding="utf-8")
    return target


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
