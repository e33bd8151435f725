"""From a region's complaints to proven innovations (``jipp-kb complaints``).

The data flows through one module per step:
``read`` (the export) → ``redact`` (personal data out, before anything else
sees the text) → ``themes`` (grouped by meaning, named) → ``match`` (urusan,
the library's innovations, gaps) → ``report`` (HTML, PDF, JSON). This module
runs them in that order and hands the top themes' innovations to the
learning-pack builder. Nothing is stored but the report and the pack: no
complaint text, redacted or not, enters an index or the site.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jipp_kb.errors import JippError
from jipp_kb.complaints.read import ComplaintFileError, Export, read_export
from jipp_kb.complaints.redact import redact
from jipp_kb.complaints.themes import DEFAULT_EMBED_LIMIT, group, normal_form
from jipp_kb.config import Config
from jipp_kb.threads import one_thread

EXAMPLES = 3
EXAMPLE_CHARS = 280
AGENCIES = 5


class ComplaintError(JippError, ValueError):
    """A run that cannot go on (no index, unwritable folder); the message says what to do."""


@dataclass
class Options:
    columns: dict[str, str | None] = field(default_factory=dict)
    examples: bool = True
    embed_limit: int = DEFAULT_EMBED_LIMIT
    max_themes: int = 20
    pack_themes: int = 3
    """Top themes (by count) whose innovations make the learning pack; 0: no pack."""
    max_complaints: int | None = None
    """Analyse only the first this many complaints (the API's cap, so one upload cannot hold the server); None: all."""


def analyse(path: Path, config: Config, options: Options, report: Callable[[str], None] | None = None) -> tuple[dict, Export]:
    """Read, redact, group and match ``path``; the report as a dictionary (no raw text in it) and what was read."""
    return analyse_export(read_export(path, options.columns), config, options, report)


def analyse_export(export: Export, config: Config, options: Options, report: Callable[[str], None] | None = None) -> tuple[dict, Export]:
    """Redact, group and match complaints already read (from a file, or an upload held in memory)."""
    from jipp_kb.complaints.match import ProblemStatements, innovations_for, urusan_english, urusan_for
    from jipp_kb.complaints.report import month_range, monthly
    from jipp_kb.models import ModelError
    from jipp_kb.render.urls import Urls
    from jipp_kb.keyword import multi_values
    from jipp_kb.search import Searcher
    from jipp_kb.vectors import open_encoder

    say = report or (lambda message: None)
    say(f"{len(export.complaints)} complaints read from {export.rows} rows")
    capped = 0
    if options.max_complaints is not None and len(export.complaints) > options.max_complaints:
        capped = len(export.complaints) - options.max_complaints
        export.complaints = export.complaints[: options.max_complaints]
        say(f"only the first {options.max_complaints} complaints analysed; {capped} left out")
    redacted, counts = [], Counter()
    for complaint in export.complaints:
        text, found = redact(complaint.text)
        redacted.append(text)
        counts.update(found)
    index = config.resolve(config.index_dir)
    try:
        searcher = Searcher(index, config.model)
        encoder = open_encoder(index, config.model)
    except FileNotFoundError:
        raise ComplaintError(f"no search index in {index}; build it first with: jipp-kb index") from None
    except ModelError as exc:
        raise ComplaintError(str(exc)) from None

    def embed(texts: list[str]):
        return encoder.embed(texts, passage=False)

    say(f"redacted; grouping {len(redacted)} complaints by meaning")
    grouping = group(redacted, embed, encoder.count_tokens, options.embed_limit, options.max_themes)
    urls = Urls.from_base_url(config.base_url)
    total = len(redacted)
    days = [c.day for c in export.complaints]
    all_months = month_range(monthly(days))
    themes, gaps = [], []
    with one_thread():
        try:
            say(f"{len(grouping.themes)} themes: matching the library's innovations")
            statements = ProblemStatements.of(searcher) if grouping.themes else None
            stored_urusan = lambda cid: multi_values((searcher.keyword.stored(cid) or {}).get("urusan"))  # noqa: E731
            for rank, theme in enumerate(grouping.themes, 1):
                named = urusan_for(theme.words, [], stored_urusan)
                innovations, addressed = innovations_for(
                    searcher,
                    theme.words,
                    lambda cid: urls.origin + urls.case(cid),
                    meaning=theme.centroid,
                    urusan=named,
                    problem=(statements, theme.direction) if statements and theme.direction is not None else None,
                )
                urusan = urusan_for(theme.words, innovations, stored_urusan)
                members = [export.complaints[i] for i in theme.members]
                entry = {
                    "rank": rank,
                    "name": ", ".join(theme.words) or "(tanpa kata / no words)",
                    "words": theme.words,
                    "count": len(theme.members),
                    "share": round(len(theme.members) / total, 4),
                    "months": dict(sorted(monthly([c.day for c in members]).items())),
                    "agencies": [{"name": a, "count": n} for a, n in _top(Counter(c.agency for c in members if c.agency), AGENCIES)],
                    "urusan": urusan,
                    "urusan_en": urusan_english(urusan),
                    "rows": sorted(c.row for c in members),
                    "examples": _examples(redacted, theme.central) if options.examples else [],
                    "innovations": [{**vars(i), "reason": i.reason} for i in innovations],
                    "gap": not addressed,
                }
                themes.append(entry)
                if not addressed:
                    gaps.append({"rank": rank, "name": entry["name"], "count": entry["count"], "urusan": urusan})
        finally:
            searcher.close()
    dated = sorted(d for d in days if d)
    data = {
        "source": {
            "file": export.path.name,
            "rows": export.rows,
            "complaints": total,
            "distinct": grouping.distinct,
            "skipped": export.rows - total - capped,
            "capped": capped,
            "unreadable_cells": len(export.warnings),
            "columns": export.columns,
        },
        "period": {
            "first": dated[0].isoformat() if dated else None,
            "last": dated[-1].isoformat() if dated else None,
            "months": all_months,
            "undated": sum(d is None for d in days),
        },
        "redacted": dict(sorted(counts.items())),
        "embedding": {
            "model": config.model,
            "embedded": grouping.embedded,
            "tokens": grouping.tokens,
            "sampled": grouping.embedded < grouping.distinct,
        },
        "themes": themes,
        "gaps": gaps,
        "pack": None,
    }
    return data, export


def pack_cases(data: dict, top: int, per_theme: int = 2) -> tuple[list[str], list[str]]:
    """Case ids for the learning pack: the best ``per_theme`` innovations of the ``top`` largest themes the library addresses."""
    chosen, names = [], []
    for theme in [t for t in data["themes"] if not t["gap"]][:top]:
        names.append(theme["name"])
        for inn in theme["innovations"][:per_theme]:
            if inn["id"] not in chosen:
                chosen.append(inn["id"])
    return chosen, names


def _examples(redacted: list[str], central: list[int]) -> list[str]:
    """The most typical complaints of a theme, skipping one that opens like one already chosen (the same complaint, reworded)."""
    chosen, openings = [], set()
    for i in central:
        opening = " ".join(normal_form(redacted[i]).split()[:6])
        if opening not in openings:
            openings.add(opening)
            chosen.append(_clip(redacted[i]))
        if len(chosen) == EXAMPLES:
            break
    return chosen


def _top(counter: Counter, n: int) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _clip(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS].rsplit(" ", 1)[0] + " …"


__all__ = ["ComplaintError", "ComplaintFileError", "Options", "analyse", "analyse_export", "pack_cases"]
