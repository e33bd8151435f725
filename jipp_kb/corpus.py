"""The corpus as one validated object: cases, collections and glossary.

``load_corpus`` is the first step of every command (check, index, build,
pack): read every file, validate it, then run the cross-file rules. Invalid
files are reported and left out; the valid ones still go through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from jipp_kb.load import LOADER, RawCase, ReadError, display_path, read_case, read_limited, real_path
from jipp_kb.problems import Problem
from jipp_kb.scaffold import TEMPLATE
from jipp_kb.schema import SECTIONS, CaseStudy, Collection, GlossaryEntry
from jipp_kb.honesty import validate_honesty
from jipp_kb.validate import cross_file, validate_body, validate_front_matter, validate_placeholders

GLOSSARY = "_glossary.yml"
COLLECTIONS = "collections"


@dataclass
class Case:
    """A valid case study: its front matter and its sections."""

    meta: CaseStudy
    sections: dict[str, str]
    path: Path
    display: str
    digest: str
    lines: dict = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.meta.id

    def line(self, *loc: str | int) -> int:
        for n in range(len(loc), 0, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return 1

    @property
    def text(self) -> str:
        """All the words of the case, for hashing and indexing."""
        return "\n\n".join([self.meta.title, self.meta.summary, *self.sections.values()])


@dataclass
class Corpus:
    root: Path
    cases: dict[str, Case] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Errors. One in a file's own content leaves the file out of the index, the site and the packs; a
    cross-file one (a look-alike title, a one-way replication link) keeps it, and still fails ``check``."""
    warnings: list[Problem] = field(default_factory=list)
    """Reported by ``check`` (``--strict`` counts them as errors); the file is still used."""
    files_checked: int = 0

    def add(self, problems: list[Problem]) -> None:
        self.problems += [p for p in problems if p.severity == "error"]
        self.warnings += [p for p in problems if p.severity == "warning"]

    def sorted_cases(self) -> list[Case]:
        return [self.cases[k] for k in sorted(self.cases)]


Links = dict[str, list[str]]
"""Case id -> case ids (or region names outside the corpus), each once, in the order first named."""


def replication_links(cases: Iterable[Case]) -> tuple[Links, Links]:
    """Who each case was replicated from and by, both directions of every link.

    If B says it replicated A, A counts as replicated by B even when A forgot to
    list it; the site, the stats and the packs all read the links from here
    (``validate.cross_file`` checks that both files list each other).
    """
    cases = list(cases)
    ids = {c.id for c in cases}
    rep_from = {c.id: list(dict.fromkeys(c.meta.replicated_from)) for c in cases}
    rep_by = {c.id: list(dict.fromkeys(c.meta.replicated_by)) for c in cases}
    for case in cases:
        for ref in case.meta.replicated_from:
            if ref in ids and case.id not in rep_by[ref]:
                rep_by[ref].append(case.id)
        for ref in case.meta.replicated_by:
            if ref in ids and case.id not in rep_from[ref]:
                rep_from[ref].append(case.id)
    return rep_from, rep_by


CASE_SUFFIXES = (".md", ".markdown")
"""Compared case-insensitively: ``x.MD`` or ``x.markdown`` is a case someone meant to add; read_case asks to rename it."""


def case_files(root: Path) -> list[Path]:
    """Case files: ``*.md`` under the root, skipping ``_``-prefixed ones (template, drafts)."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in CASE_SUFFIXES
        and not p.name.startswith("_")
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def read_and_validate(path: Path, root: Path | None) -> tuple[Case | None, list[Problem]]:
    raw, problems = read_case(path, root)
    if raw is None:
        return None, problems
    meta, fm_problems = validate_front_matter(raw)
    problems += fm_problems
    problems += validate_body(raw, len(meta.sources) if meta else None, _depth(raw, meta))
    template = _template(root)
    problems += validate_placeholders(raw, template)
    errors, warnings = validate_honesty(raw, template)
    problems += errors
    if meta is None or problems:
        return None, problems + warnings
    return _case(raw, meta), warnings


def _depth(raw: RawCase, meta) -> str:
    """The case's depth; read from the raw front matter when the rest of it failed validation."""
    if meta is not None:
        return meta.depth
    return "profil" if raw.data.get("depth") == "profil" else "studi kasus"


def _template(root: Path | None) -> RawCase | None:
    """The corpus's ``_template.md``, parsed once per version of the file."""
    path = root / TEMPLATE if root is not None else None
    try:
        return _read_template(path, path.stat().st_mtime_ns) if path else None
    except OSError:
        return None


@lru_cache(maxsize=4)
def _read_template(path: Path, mtime_ns: int) -> RawCase | None:
    return read_case(path)[0]


def _case(raw: RawCase, meta: CaseStudy) -> Case:
    sections = {s.title: s.markdown for s in raw.sections}
    ordered = {t: sections.get(t, "") for t in SECTIONS}  # a profile leaves most sections empty
    return Case(meta, ordered, raw.path, raw.display, raw.digest, raw.lines)


def load_corpus(root: Path, paths: list[Path] | None = None) -> Corpus:
    """Load and validate; ``paths`` narrows the files checked (cross-file rules still see all)."""
    corpus = Corpus(root)
    all_files = case_files(root) if root.is_dir() else []
    wanted = {real_path(p) for p in paths} if paths else None
    cases: list[Case] = []
    for path in all_files:
        case, problems = read_and_validate(path, root)
        if wanted is None or real_path(path) in wanted:
            corpus.add(problems)
            corpus.files_checked += 1
        if case:
            cases.append(case)
    for path in paths or []:
        if real_path(path) not in {real_path(p) for p in all_files}:
            case, problems = read_and_validate(path, root if _inside(path, root) else None)
            corpus.add(problems)
            corpus.files_checked += 1
            if case:
                cases.append(case)
    shown = {c.display for c in cases if wanted is None or real_path(c.path) in wanted}
    corpus.problems += [p for p in cross_file(cases) if p.path in shown]
    for case in cases:
        corpus.cases.setdefault(case.id, case)
    if wanted is None:
        _load_glossary(corpus)
        _load_collections(corpus)
    return corpus


def _inside(path: Path, root: Path) -> bool:
    try:
        real_path(path).relative_to(real_path(root))
        return True
    except ValueError:
        return False


def _read_yaml(path: Path, corpus: Corpus) -> tuple[object, yaml.Node | None]:
    """Parse a data file once (libyaml): its data, and its node tree for line numbers."""
    shown = display_path(path, corpus.root)
    try:
        loader = LOADER(read_limited(path).decode("utf-8-sig"))
        try:
            node = loader.get_single_node()
            return (loader.construct_document(node) if node is not None else None), node
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        corpus.problems.append(Problem(shown, mark.line + 1 if mark else 1, "yaml", f"invalid YAML: {exc.problem}"))
    except ReadError as exc:
        corpus.problems.append(Problem(shown, 1, "file", str(exc)))
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        corpus.problems.append(Problem(shown, 1, "file", f"cannot read: {exc!s:.200}"))
    return None, None


def _load_glossary(corpus: Corpus) -> None:
    path = corpus.root / GLOSSARY
    if not path.exists():
        return
    data, node = _read_yaml(path, corpus)
    shown = display_path(path, corpus.root)
    if not isinstance(data, list):
        if data is not None:
            corpus.problems.append(Problem(shown, 1, "glossary", "must be a list of entries (term, expansion, synonyms)"))
        return
    lines = {i: item.start_mark.line + 1 for i, item in enumerate(node.value)}
    seen: dict[str, int] = {}
    for i, item in enumerate(data):
        try:
            entry = GlossaryEntry.model_validate(item)
            key = entry.term.casefold()
            if key in seen:
                corpus.problems.append(
                    Problem(shown, lines[i], "term", f"'{entry.term}' is already defined on line {seen[key]}; merge the two entries")
                )
                continue
            seen[key] = lines[i]
            corpus.glossary.append(entry)
        except ValidationError as exc:
            for err in exc.errors():
                corpus.problems.append(Problem(shown, lines[i], ".".join(map(str, err["loc"])) or "entry", err["msg"]))


def _load_collections(corpus: Corpus) -> None:
    folder = corpus.root / COLLECTIONS
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        shown = display_path(path, corpus.root)
        data, node = _read_yaml(path, corpus)
        if data is None:
            continue
        key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
        try:
            collection = Collection.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = err["loc"]
                corpus.problems.append(
                    Problem(shown, key_lines.get(str(loc[0]), 1) if loc else 1, ".".join(map(str, loc)) or "collection", err["msg"])
                )
            continue
        for case_id in collection.cases:
            if case_id not in corpus.cases:
                corpus.problems.append(Problem(shown, key_lines.get("cases", 1), "cases", f"no valid case with id '{case_id}'"))
        corpus.collections[path.stem] = collection
