"""Validation rules: one file at a time, then across the corpus.

Each rule returns :class:`Problem` objects with the line of the offending key
or heading; nothing here raises on bad content.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from pydantic import ValidationError

from jipp_kb import vocab
from jipp_kb.load import RawCase, Section
from jipp_kb.problems import Problem, plural
from jipp_kb.schema import PROFILE_MIN_SOURCES, PROFILE_SECTIONS, SECTIONS, SLUG, CaseStudy

if TYPE_CHECKING:
    from jipp_kb.corpus import Case

CITATION = re.compile(r"\[(\d{1,3})\](?!\()")
MAX_PARAGRAPH = 10_000
"""Characters in one paragraph (text between blank lines); the corpus's longest is about 1,500.

Python-Markdown rebuilds a paragraph's text for every link, emphasis or
entity in it, so its time grows with the square of the paragraph's length.
"""


def validate_front_matter(raw: RawCase) -> tuple[CaseStudy | None, list[Problem]]:
    """Build the model; turn each pydantic error into a located problem."""
    try:
        meta = CaseStudy.model_validate(raw.data)
    except ValidationError as exc:
        return None, [_problem_from_error(raw, err) for err in exc.errors()]
    problems = []
    if meta.id != raw.path.stem:
        problems.append(Problem(raw.display, raw.line_of(("id",)), "id", f"id '{meta.id}' must equal the file name '{raw.path.stem}'"))
    n = len(meta.sources)
    if meta.depth == "profil" and n < PROFILE_MIN_SOURCES:
        problems.append(
            Problem(
                raw.display,
                raw.line_of(("sources",)),
                "sources",
                f"a profile needs at least {PROFILE_MIN_SOURCES} sources; it has {plural(n, 'source')}",
            )
        )
    if meta.status_confirmed and meta.status_confirmed.source > n:
        loc = ("status_confirmed", "source")
        problems.append(
            Problem(
                raw.display,
                raw.line_of(loc),
                "status_confirmed.source",
                f"is {meta.status_confirmed.source} but the case has {plural(n, 'source')}",
            )
        )
    return meta, problems


def _problem_from_error(raw: RawCase, err: dict) -> Problem:
    loc = tuple(err["loc"])
    message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    field = ".".join(str(p) for p in loc) or "front matter"
    if err["type"] == "missing":
        return Problem(raw.display, raw.fm_end_line, field, "required field is missing")
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _field_names(loc[:-1]), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return Problem(raw.display, raw.line_of(loc), field, f"unknown field{hint}")
    if not loc:  # a rule across several fields of the case
        line = raw.line_of(("regency",)) if ("regency",) in raw.lines else raw.line_of(("level",))
        return Problem(raw.display, line, "level", message)
    if err["type"] == "string_pattern_mismatch" and loc[-1] == "id":
        message = "must be a slug: lowercase letters, digits and single hyphens (e.g. 'lahir-procot')"
    elif err["type"] == "string_pattern_mismatch" and loc[-1] == "url":
        message = "must be a full http(s) URL"
    return Problem(raw.display, raw.line_of(loc), field, message)


def _field_names(loc: tuple) -> list[str]:
    from jipp_kb.schema import Award, Contact, Source

    nested = {"awards": Award, "contacts": Contact, "sources": Source}
    model = nested.get(str(loc[0]), CaseStudy) if loc else CaseStudy
    return list(model.model_fields)


def validate_body(raw: RawCase, n_sources: int | None, depth: str = "studi kasus") -> list[Problem]:
    """Required sections (all for a case study, the summary for a profile), in order, none empty; citations point at real sources."""
    problems: list[Problem] = []
    p = lambda line, field, msg: problems.append(Problem(raw.display, line, field, msg))
    if raw.preamble_line is not None:
        p(raw.preamble_line, "body", "text before the first '## Ringkasan' section; move it into a section")
    seen: dict[str, int] = {}
    for section in raw.sections:
        if section.title not in SECTIONS:
            close = difflib.get_close_matches(section.title, SECTIONS, n=1, cutoff=0.5)
            hint = f"; did you mean '## {close[0]}'?" if close else f"; sections are: {', '.join(SECTIONS)}"
            shown = section.title if len(section.title) <= 80 else section.title[:80].rstrip() + "…"  # one problem stays one readable line
            p(section.line, "body", f"unknown section '## {shown}'{hint}")
            continue
        if section.title in seen:
            p(section.line, f"section '{section.title}'", f"appears twice (first on line {seen[section.title]})")
            continue
        seen[section.title] = section.line
        if not section.markdown.strip():
            p(section.line, f"section '{section.title}'", "is empty; write what is known, or say that no public source covers it")
    end_line = raw.fm_end_line + raw.body.count("\n") + 2
    for title in PROFILE_SECTIONS if depth == "profil" else SECTIONS:
        if title not in seen:
            p(end_line, f"section '{title}'", f"required section '## {title}' is missing")
    order = [t for t in seen]
    expected = [t for t in SECTIONS if t in seen]
    if order != expected:
        first_wrong = next(a for a, b in zip(order, expected) if a != b)
        p(seen[first_wrong], f"section '{first_wrong}'", f"out of order; sections go: {', '.join(SECTIONS)}")
    for section in raw.sections:
        problems += _long_paragraphs(raw, section)
    if n_sources is not None:
        for section in raw.sections:
            for i, text in enumerate(section.markdown.split("\n")):
                for m in CITATION.finditer(text):
                    if not 1 <= int(m.group(1)) <= n_sources:
                        p(section.line + 1 + i, "body", f"citation [{m.group(1)}] but the case has {plural(n_sources, 'source')}")
    return problems


def _long_paragraphs(raw: RawCase, section: Section) -> list[Problem]:
    """Paragraphs over :data:`MAX_PARAGRAPH` characters, at their first line."""
    problems: list[Problem] = []
    start, size = 0, 0
    for i, line in enumerate(section.markdown.split("\n") + [""]):
        if line.strip():
            start, size = (i, 0) if size == 0 else (start, size)
            size += len(line) + 1
            continue
        if size > MAX_PARAGRAPH:
            message = f"paragraph of {size:,} characters; split it with blank lines (at most {MAX_PARAGRAPH:,} each)"
            problems.append(Problem(raw.display, section.text_line + start, f"section '{section.title}'", message))
        size = 0
    return problems


PLACEHOLDER_FIELDS: tuple[tuple[str, ...], ...] = (
    ("title",),
    ("acronym_expansion",),
    ("summary",),
    ("summary_en",),
    ("sources", "url"),
    ("sources", "title"),
    ("sources", "publisher"),
    ("contacts", "url"),
)
"""Free-text fields whose template value is a placeholder, never a real fact.

Vocabulary fields (province, level, urusan…) are left out: the template's
example values there are real values a case may well have.
"""


def validate_placeholders(raw: RawCase, template: RawCase | None) -> list[Problem]:
    """Text still as ``_template.md`` wrote it: a scaffolded case not filled in yet.

    Without this rule a file fresh from ``jipp-kb new`` passes ``check``.
    """
    if template is None:
        return []
    problems: list[Problem] = []
    for field in PLACEHOLDER_FIELDS:
        placeholders = {_norm(v) for _, v in _values(template.data, field)}
        for loc, value in _values(raw.data, field):
            if _norm(value) in placeholders:
                message = "still the template's placeholder text; write what the sources say"
                problems.append(Problem(raw.display, raw.line_of(loc), ".".join(map(str, loc)), message))
    guidance = {s.title: _norm(s.markdown) for s in template.sections}
    for section in raw.sections:
        if section.title in guidance and _norm(section.markdown) == guidance[section.title]:
            message = "still the template's guidance text; write what is known, or say that no public source covers it"
            problems.append(Problem(raw.display, section.line, f"section '{section.title}'", message))
    return problems


def _values(data: dict, field: tuple[str, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """String values at ``field`` (a key, or a list key and an item key), with their locations."""
    if len(field) == 1:
        value = data.get(field[0])
        return [(field, value)] if isinstance(value, str) else []
    items = data.get(field[0])
    if not isinstance(items, list):
        return []
    return [
        ((field[0], i, field[1]), item[field[1]])
        for i, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get(field[1]), str)
    ]


def _norm(text: str) -> str:
    return " ".join(text.split())


def cross_file(cases: list[Case]) -> list[Problem]:
    """Rules across files: unique ids, two-way replication links, likely duplicates."""
    problems: list[Problem] = []
    by_id: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_id[case.id].append(case)
    for cid, group in by_id.items():
        for dup in group[1:]:
            problems.append(Problem(dup.display, dup.line("id"), "id", f"duplicate id '{cid}', also used by {group[0].display}"))
    ids = {c.id: c for c in cases}
    for case in cases:
        for field, back in (("replicated_from", "replicated_by"), ("replicated_by", "replicated_from")):
            for i, ref in enumerate(getattr(case.meta, field)):
                line = case.line(field, i)
                if re.match(SLUG, ref):
                    other = ids.get(ref)
                    if other is None:
                        close = difflib.get_close_matches(ref, list(ids), n=1)
                        hint = f"; did you mean '{close[0]}'?" if close else ""
                        problems.append(Problem(case.display, line, field, f"no case with id '{ref}'{hint}"))
                    elif case.id not in getattr(other.meta, back):
                        problems.append(
                            Problem(case.display, line, field, f"'{ref}' does not list '{case.id}' in its {back}; add it there too")
                        )
                else:
                    try:
                        vocab.regencies().resolve(ref)
                    except ValueError as exc:
                        if ref not in vocab.provinces():
                            problems.append(Problem(case.display, line, field, f"neither a case id nor a region: {exc}"))
    seen: dict[tuple[str, str], Case] = {}
    for case in sorted(cases, key=lambda c: c.display):
        for key in {_title_key(case.meta.title), _title_key(case.meta.acronym_expansion or "")} - {""}:
            region_key = (key, case.meta.region)
            if region_key in seen and seen[region_key].id != case.id:
                problems.append(
                    Problem(
                        case.display,
                        case.line("title"),
                        "title",
                        f"likely duplicate of {seen[region_key].display} (same name in {case.meta.region})",
                    )
                )
                break
            seen.setdefault(region_key, case)
    return problems


def _title_key(title: str) -> str:
    head = title.split("(")[0]
    return re.sub(r"[^0-9a-z]+", " ", head.casefold()).strip()
