"""Learning packs: one folder per workshop with everything a facilitator prints or edits.

A pack is made for a handful of cases (a collection, a list of ids or a
search). Every document is an HTML page and its PDF: the full handout, a
short handout (at most two pages a case), the comparison matrix (also CSV),
the discussion questions (per case and across the cases), a half-day and a
full-day agenda, the follow-up plan (RTL) template and an evaluation form;
``pack.md`` holds the text for editing and ``pack.zip`` all of it.

Same input, same bytes: the date on the cover is the newest ``last_reviewed``
of the cases unless given, every PDF and the ZIP carry that date, and files
whose bytes did not change are not rewritten. The PDFs are the slow part, so
each is laid out again only when its HTML changed (``PdfCache``).
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import io
import json
import multiprocessing
import os
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path

import jinja2
from markupsafe import Markup
from slugify import slugify

from jipp_kb import __version__
from jipp_kb.config import Config
from jipp_kb.corpus import Case, Corpus, replication_links
from jipp_kb.pack import content
from jipp_kb.render.i18n import I18nError, Strings, flat_keys
from jipp_kb.render.markdown import CITE_TARGET, to_html
from jipp_kb.render.pages import PACK_DOCUMENTS
from jipp_kb.render.site import Progress, store
from jipp_kb.render.theme import ThemeDirs, ThemeError
from jipp_kb.render.urls import UrlError, Urls
from jipp_kb.schema import SECTIONS_EN

PACK_THEME = "pack"
"""The theme's subfolder of pack templates, stylesheet and strings (``site/pack/``)."""

LANGS = ("id", "en")
DOCUMENTS = tuple(doc for doc, names in PACK_DOCUMENTS if any(n.endswith(".pdf") for n in names))
"""Documents made as HTML and PDF; ``PACK_DOCUMENTS`` (the collection page's list) names their files."""
FILES = tuple(name for _, names in PACK_DOCUMENTS for name in names)
"""Every file of a pack, in the order the ZIP holds them (the ZIP itself last)."""
HANDOUT_SECTIONS = ("Latar Belakang dan Masalah", "Inovasi", "Hasil dan Dampak", "Sumber Daya")
"""Sections shown in full in the handout, after the summary."""
PROFILE_COLUMNS = ("case", "region", "level", "urusan", "year", "status", "jenis", "award", "replicated_by")
RESOURCE_COLUMNS = ("case", "budget", "people", "legal_basis", "partners", "key_result")
MATRIX_COLUMNS = (*PROFILE_COLUMNS, *RESOURCE_COLUMNS[1:])
"""The matrix's columns: the profile from the front matter, then resources and results quoted from the text."""
FACT_COLUMNS = ("budget", "people", "legal_basis", "partners", "key_result")
OLD_FILES = ("discussion.md", "agenda.md")
"""Files earlier versions wrote (the questions and agenda are HTML and PDF now): removed from pack folders."""
SHORT_QUESTIONS = 4
"""Questions per case in the short handout."""


class PackError(ValueError):
    """Bad input or an unwritable folder; the message is one line that says what to do."""


# -- choosing the cases -------------------------------------------------------------------


@dataclass
class Selection:
    """The cases of a pack, and what their origin says about the pack (title, audience, folder)."""

    case_ids: list[str]
    name: str | None = None
    """Default folder name (the collection id)."""
    title: str | None = None
    audience: str | None = None
    description: str = ""
    skipped: list[str] = field(default_factory=list)
    """Ids the collection lists that are not valid cases now (reported, not fatal)."""


def from_collection(corpus: Corpus, collection_id: str, lang: str = "id") -> Selection:
    collection = corpus.collections.get(collection_id)
    if collection is None:
        valid = ", ".join(sorted(corpus.collections)) or "none (corpus/collections/ is empty)"
        raise PackError(f"unknown collection '{collection_id}'{_did_you_mean(collection_id, corpus.collections)}; valid: {valid}")
    ids = [cid for cid in collection.cases if cid in corpus.cases]
    if not ids:
        raise PackError(f"collection '{collection_id}' has no valid case (run jipp-kb check)")
    english = lang == "en"
    return Selection(
        ids,
        collection_id,
        (collection.title_en if english else None) or collection.title,
        collection.audience,
        (collection.description_en if english else None) or collection.description,
        [cid for cid in collection.cases if cid not in corpus.cases],
    )


def from_ids(corpus: Corpus, ids: Iterable[str]) -> Selection:
    wanted = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if not wanted:
        raise PackError("no case ids given; write them comma-separated, e.g. --cases gebrakan-susi,anc-hipnoterapi")
    for cid in wanted:
        if cid not in corpus.cases:
            raise PackError(f"unknown case id '{cid}'{_did_you_mean(cid, corpus.cases)}")
    return Selection(wanted)


def from_query(corpus: Corpus, config: Config, query: str, filters: dict, limit: int, profiles: bool = False) -> Selection:
    """The top hits for ``query`` with ``filters`` (canonical names): full case studies only, unless ``profiles``.

    The default search mode when an embedding index exists, keyword search otherwise.
    """
    from jipp_kb.search import DEFAULT_MODE, Searcher

    index = config.resolve(config.index_dir)
    try:
        searcher = Searcher(index, config.model)
    except FileNotFoundError:
        raise PackError(f"no search index in {index}; build it with: jipp-kb index --keyword-only") from None
    try:
        try:
            searcher.vectors  # noqa: B018 - is there an embedding index?
            mode = DEFAULT_MODE
        except FileNotFoundError:
            mode = "keyword"
        response = searcher.search(query, mode=mode, filters=filters, limit=limit * 4)
    finally:
        searcher.close()
    ids = [r.id for r in response.results if r.id in corpus.cases and (profiles or corpus.cases[r.id].meta.depth != "profil")][:limit]
    if not ids:
        narrowed = " with these filters" if filters else ""
        raise PackError(f"no case matches '{query}'{narrowed}; try other words or fewer filters")
    return Selection(ids)


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# -- strings and templates ----------------------------------------------------------------


@dataclass(frozen=True)
class PackTheme:
    """The pack's templates, stylesheet and strings, loaded once per theme override."""

    env: jinja2.Environment
    css: Markup
    strings: dict[str, Strings]


@cache
def pack_theme(theme_dir: Path | None = None) -> PackTheme:
    """The packaged theme's ``pack/``, under the files of ``theme_dir`` (the config's override) when given.

    Strings are the site's (field labels, values, months) with the pack's own under ``pack.``.
    """
    try:
        dirs = ThemeDirs.with_override(theme_dir)
        data = {lang: {**dirs.strings("i18n", lang), "pack": dirs.strings(f"{PACK_THEME}/i18n", lang)} for lang in LANGS}
        css = Markup(dirs.file(f"{PACK_THEME}/pack.css").read_text(encoding="utf-8"))
    except (ThemeError, I18nError) as exc:
        raise PackError(str(exc)) from None
    return PackTheme(dirs.env(PACK_THEME), css, {lang: Strings(lang, data[lang]) for lang in LANGS})


def strings(lang: str, theme_dir: Path | None = None) -> Strings:
    """One language of ``pack_theme``'s strings; an unknown language is the user's error, not a KeyError."""
    if lang not in LANGS:
        raise PackError(f"unknown language '{lang}'; use id or en")
    return pack_theme(theme_dir).strings[lang]


def missing_keys(theme_dir: Path | None = None) -> dict[str, list[str]]:
    """Pack strings present in one language and not the other (empty when both match)."""
    keys = {lang: flat_keys(strings(lang, theme_dir).data["pack"]) for lang in LANGS}
    union = set().union(*keys.values())
    return {lang: sorted(union - keys[lang]) for lang in LANGS if union - keys[lang]}


# -- the pack's content -------------------------------------------------------------------


@dataclass(frozen=True)
class PackSpec:
    case_ids: tuple[str, ...]
    title: str
    audience: str
    date: date
    lang: str = "id"
    description: str = ""
    site_url: str = ""
    """The site's base URL when it names a host (``https://…/``), to link each case's page; empty otherwise."""
    theme_dir: Path | None = None
    """The config's theme override, whose ``pack/`` files win over the packaged ones."""


def make_spec(
    corpus: Corpus,
    selection: Selection,
    *,
    lang: str = "id",
    title: str | None = None,
    audience: str | None = None,
    day: date | None = None,
    query: str | None = None,
    base_url: str = "/",
    theme_dir: Path | None = None,
) -> PackSpec:
    """Fill in what the user did not give from the selection, then from the pack's defaults."""
    t = strings(lang, theme_dir)
    cases = [corpus.cases[cid] for cid in selection.case_ids]
    default_title = t("pack.query_title", query=query) if query else t("pack.default_title")
    return PackSpec(
        tuple(selection.case_ids),
        (title or selection.title or default_title).strip(),
        (audience or selection.audience or t("pack.default_audience")).strip(),
        day or content.newest_review(cases),
        lang,
        selection.description,
        base_url if _has_host(base_url) else "",
        theme_dir,
    )


def _has_host(base_url: str) -> bool:
    try:
        return bool(Urls.from_base_url(base_url).origin)
    except UrlError as exc:
        raise PackError(f"base_url in jipp-kb.toml: {exc}") from None


def default_folder(selection: Selection, spec: PackSpec) -> str:
    return selection.name or slugify(spec.title) or "pack"


CITE_HREF = re.compile(r'href="#' + re.escape(CITE_TARGET).replace(r"\{n\}", r"(\d+)") + '"')


def _case_html(markdown: str, case_id: str) -> Markup:
    """A section as sanitised HTML, its citations pointing at this case's sources (ids are per case in a pack)."""
    html = CITE_HREF.sub(lambda m: f'href="#{source_anchor(case_id, int(m.group(1)))}"', to_html(markdown))
    return Markup(html)


def _inline_html(markdown: str, case_id: str) -> Markup:
    html = str(_case_html(markdown, case_id))
    return Markup(html[3:-4] if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1 else html)


def source_anchor(case_id: str, n: int) -> str:
    return f"{case_id}-{CITE_TARGET.format(n=n)}"


def section_title(title: str, lang: str) -> str:
    return SECTIONS_EN[title] if lang == "en" else title


def _case_url(site_url: str, case_id: str) -> str:
    if not site_url:
        return ""
    urls = Urls.from_base_url(site_url)
    return urls.absolute(urls.case(case_id))


def _source(case: Case, i: int, t: Strings) -> dict:
    s = case.meta.sources[i - 1]
    return {
        "n": i,
        "anchor": source_anchor(case.id, i),
        "title": s.title,
        "publisher": s.publisher,
        "url": s.url,
        "accessed": t("case.accessed", date=t.date(s.accessed)),
    }


def _case_view(
    case: Case, n: int, total: int, t: Strings, replicas: list[str], spec: PackSpec, row: dict[str, str], facts: content.Facts
) -> dict:
    m = case.meta
    checks = content.checklist(case)
    lang = t.lang
    details = [
        (t("pack.agency"), m.agency),
        (t("field.level"), t.value("level", m.level)),
        (t("field.year"), str(m.year_started) if m.year_started else t("case.year_unknown")),
        (t("field.tahapan"), t.value("tahapan", m.tahapan)),
        (t("field.status"), row["status"]),
    ]
    if m.awards:
        details.append((t("case.awards"), row["award"]))
    if replicas:
        details.append((t("case.replicated_by"), ", ".join(replicas)))
    cited = sorted({n for col in FACT_COLUMNS if (f := getattr(facts, col)) for n in f.sources if 1 <= n <= len(m.sources)})
    questions = content.questions(case, t, replicas)
    return {
        "id": case.id,
        "n": n,
        "of": t("pack.case_of", n=n, total=total),
        "title": m.title,
        "region": content.region(case, t),
        "facts": details,
        "key_facts": [(t(f"pack.matrix.{col}"), row[col]) for col in FACT_COLUMNS],
        "summary": m.summary_en if lang == "en" else m.summary,
        "summary_title": section_title("Ringkasan", lang),
        "sections": [(section_title(s, lang), _case_html(case.sections[s], case.id), case.sections[s]) for s in HANDOUT_SECTIONS],
        "checklist": [
            (
                t(f"pack.checklist.{need}"),
                [(_inline_html(u.markdown, case.id), u.markdown, section_title(u.section, lang)) for u in checks.needs[need]],
            )
            for need in content.NEEDS
        ],
        "other": [(_inline_html(u.markdown, case.id), u.markdown, section_title(u.section, lang)) for u in checks.other],
        "questions": questions,
        "question_texts": [q.text for q in questions],
        "question_from": [t("pack.discussion.from", section=section_title(q.section, lang)) if q.section else "" for q in questions],
        "short_questions": [q.text for q in questions[:SHORT_QUESTIONS]],
        "contacts": [c.model_dump() for c in m.contacts],
        "sources": [_source(case, i, t) for i in range(1, len(m.sources) + 1)],
        "cited_sources": [_source(case, i, t) for i in cited],
        "url": _case_url(spec.site_url, case.id),
    }


def _matrix_row(case: Case, t: Strings, replicas: list[str], facts: content.Facts) -> dict[str, str]:
    """One case's row: the profile from the front matter, the rest quoted from cited sentences; never a guess."""
    m = case.meta
    none, not_stated = t("pack.matrix.none"), t("pack.matrix.not_stated")
    status = t.value("status", m.status)
    if m.status_confirmed:
        status += f" ({t('pack.matrix.confirmed', date=t.date(m.status_confirmed.date))})"
    row = {
        "case": m.title,
        "region": content.region(case, t),
        "level": t.value("level", m.level),
        "urusan": ", ".join(t.urusan(u) for u in m.urusan),
        "year": str(m.year_started) if m.year_started else t("case.year_unknown"),
        "status": status,
        "jenis": t.value("jenis", m.jenis),
        "award": "; ".join(f"{a.name} {a.tier} {a.year}" for a in m.awards) or none,
        "replicated_by": "; ".join(replicas) or none,
        "budget": facts.budget.cell if facts.budget else t("pack.matrix.not_published"),
    }
    row |= {col: f.cell if (f := getattr(facts, col)) else not_stated for col in ("people", "legal_basis", "partners", "key_result")}
    return {col: row[col] for col in MATRIX_COLUMNS}


@dataclass
class Pack:
    """Everything a pack shows, computed once and written in several formats."""

    spec: PackSpec
    theme: PackTheme
    t: Strings
    cases: list[dict]
    matrix: list[dict[str, str]]
    cross: list[content.CrossQuestion]
    agendas: dict[str, list[content.AgendaBlock]]

    def columns(self, names: Iterable[str] = MATRIX_COLUMNS) -> list[tuple[str, str]]:
        return [(col, self.t(f"pack.matrix.{col}")) for col in names]


def assemble(corpus: Corpus, spec: PackSpec) -> Pack:
    theme = pack_theme(spec.theme_dir)
    t = strings(spec.lang, spec.theme_dir)
    cases = [corpus.cases[cid] for cid in spec.case_ids]
    titles = {cid: c.meta.title for cid, c in corpus.cases.items()}
    _, both_ways = replication_links(corpus.sorted_cases())
    replicas = {c.id: content.replicated_by(c.id, both_ways, titles) for c in cases}
    facts = {c.id: content.facts(c) for c in cases}
    rows = [_matrix_row(c, t, replicas[c.id], facts[c.id]) for c in cases]
    views = [_case_view(c, i, len(cases), t, replicas[c.id], spec, row, facts[c.id]) for i, (c, row) in enumerate(zip(cases, rows), 1)]
    titles_regions = [(v["title"], v["region"]) for v in views]
    agendas = {day: content.agenda(titles_regions, t, day) for day in content.DAYS}
    return Pack(spec, theme, t, views, rows, content.cross_questions(cases, facts, t, replicas), agendas)


# -- output formats -----------------------------------------------------------------------


def _context(pack: Pack) -> dict:
    t = pack.t
    return {
        "t": t,
        "lang": t.lang,
        "spec": pack.spec,
        "date": t.date(pack.spec.date),
        "cases": pack.cases,
        "matrix": pack.matrix,
        "columns": pack.columns(),
        "profile_columns": pack.columns(PROFILE_COLUMNS),
        "resource_columns": pack.columns(RESOURCE_COLUMNS),
        "rtl_columns": pack.columns(("case", "legal_basis", "budget", "people", "partners")),
        "quoted_columns": RESOURCE_COLUMNS[1:],
        "cross": pack.cross,
        "agendas": [(t(f"pack.agenda.{day}"), [_agenda_row(b, t) for b in blocks]) for day, blocks in pack.agendas.items()],
        "css": pack.theme.css,
        "generator": f"jipp-kb {__version__}",
    }


def _agenda_row(block: content.AgendaBlock, t: Strings) -> dict:
    return {
        "time": f"{content.clock(block.start, t)}–{content.clock(block.start + block.minutes, t)}",
        "title": block.title,
        "note": block.note,
    }


def document_html(pack: Pack, doc: str) -> str:
    """One document of the pack (``DOCUMENTS``) as a self-contained HTML page, from ``site/pack/<doc>.html``."""
    return pack.theme.env.get_template(f"{doc.replace('_', '-')}.html").render(**_context(pack))


def matrix_csv(pack: Pack) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs on Windows read the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(label) for _, label in pack.columns()])
    for row in pack.matrix:
        writer.writerow([csv_cell(row[col]) for col in MATRIX_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula (``=HYPERLINK(…)`` from a case) gets a leading ``'``."""
    return "'" + text if text.startswith(FORMULA_START) and text.strip("-") else text


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _demote(markdown: str) -> str:
    """Headings inside a section sit under the pack's ``###`` section headings."""
    return re.sub(r"^(#{1,5})(?=\s)", r"\1#", markdown, flags=re.MULTILINE)


def _cover_md(pack: Pack) -> list[str]:
    t, spec = pack.t, pack.spec
    lines = [
        f"# {spec.title}",
        "",
        f"_{t('pack.kicker')}_",
        "",
        f"- **{t('pack.audience')}:** {spec.audience}",
        f"- **{t('pack.date')}:** {t.date(spec.date)}",
        "",
    ]
    if spec.description:
        lines += [spec.description, ""]
    lines += [f"## {t('pack.cases')}", ""] + [f"{c['n']}. {c['title']} — {c['region']}" for c in pack.cases] + [""]
    lines += [t("pack.how_to"), ""] + ([t("pack.language_note"), ""] if t("pack.language_note") else []) + [t("pack.licence"), ""]
    return lines


def _questions_md(view: dict, heading: str) -> list[str]:
    return [heading, ""] + [f"{i}. {q}" for i, q in enumerate(view["question_texts"], 1)] + [""]


def _case_md(view: dict, t: Strings) -> list[str]:
    lines = [f"## {view['n']}. {view['title']}", "", f"_{view['region']}_", ""]
    lines += [f"- **{label}:** {value}" for label, value in view["facts"]] + [""]
    if view["url"]:
        lines += [f"{t('pack.read_online')}: <{view['url']}>", ""]
    lines += [f"### {view['summary_title']}", "", view["summary"], ""]
    for title, _, markdown in view["sections"]:
        lines += [f"### {title}", "", _demote(markdown).strip(), ""]
    lines += [f"### {t('pack.checklist.title')}", "", t("pack.checklist.intro"), ""]
    for label, items in view["checklist"]:
        lines += [f"#### {label}", ""]
        lines += [f"- [ ] {md} _({section})_" for _, md, section in items] or [f"- [ ] {t('pack.checklist.none')}"]
        lines.append("")
    if view["other"]:
        lines += [f"#### {t('pack.checklist.other')}", ""] + [f"- [ ] {md} _({section})_" for _, md, section in view["other"]] + [""]
    lines += _questions_md(view, f"### {t('pack.questions.title')}")
    lines += (
        [f"### {t('case.contacts')}", ""] + ([f"- {_contact_line(c, t)}" for c in view["contacts"]] or [t("case.contacts") + ": -"]) + [""]
    )
    lines += [f"### {t('case.sources')}", ""]
    lines += [
        f"{s['n']}. {s['title']}" + (f". {s['publisher']}" if s["publisher"] else "") + f". <{s['url']}> ({s['accessed']})"
        for s in view["sources"]
    ]
    return lines + [""]


def _contact_line(contact: dict, t: Strings) -> str:
    parts = [contact["office"]]
    parts += [f"<{contact['url']}>"] if contact["url"] else []
    parts += [f"<{contact['email']}>"] if contact["email"] else []
    parts += [f"{t('case.phone')} {contact['phone']}"] if contact["phone"] else []
    parts += [contact["address"]] if contact["address"] else []
    return " · ".join(parts)


def _matrix_md(pack: Pack) -> list[str]:
    t = pack.t
    lines = [f"## {t('pack.matrix.title')}", "", t("pack.matrix.intro"), ""]
    for title, names in ((t("pack.matrix.profile"), PROFILE_COLUMNS), (t("pack.matrix.resources_title"), RESOURCE_COLUMNS)):
        header = [label for _, label in pack.columns(names)]
        lines += [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_cell(row[col]) for col in names) + " |" for row in pack.matrix] + [""]
    return lines


def _cross_md(pack: Pack) -> list[str]:
    t = pack.t
    lines = [f"## {t('pack.cross.title')}", "", t("pack.cross.intro"), ""]
    for i, q in enumerate(pack.cross, 1):
        lines += [f"{i}. {q.text}"] + [f"    - {item}" for item in q.items]
    return lines + [""]


def _agenda_md(pack: Pack) -> list[str]:
    t = pack.t
    lines = [f"## {t('pack.agenda.title')}", "", t("pack.agenda.intro"), ""]
    lines += [f"### {t('pack.agenda.prepare')}", ""] + [f"- {item}" for item in t.node("pack.agenda.prepare_items")] + [""]
    for day, blocks in pack.agendas.items():
        lines += [
            f"### {t(f'pack.agenda.{day}')}",
            "",
            f"| {t('pack.agenda.time')} | {t('pack.agenda.session')} | {t('pack.agenda.notes')} |",
        ]
        lines += ["|---|---|---|"] + [
            f"| {r['time']} | {_cell(r['title'])} | {_cell(r['note'])} |" for r in map(lambda b: _agenda_row(b, t), blocks)
        ]
        lines.append("")
    return lines


def pack_md(pack: Pack) -> str:
    """Everything of the pack in Markdown, for a facilitator who wants to edit it."""
    lines = _cover_md(pack)
    for view in pack.cases:
        lines += ["---", ""] + _case_md(view, pack.t)
    lines += ["---", ""] + _matrix_md(pack) + ["---", ""] + _cross_md(pack) + ["---", ""] + _agenda_md(pack)
    return "\n".join(lines).rstrip() + "\n"


def pack_zip(files: dict[str, bytes], folder: str, day: date) -> bytes:
    """The pack's files in one ZIP under ``folder/``: fixed order, timestamps (the pack's date) and permissions, so same files, same bytes."""
    buffer = io.BytesIO()
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in FILES:
            if name in files:
                info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                archive.writestr(info, files[name], compresslevel=6)
    return buffer.getvalue()


# -- writing ------------------------------------------------------------------------------


class PdfCache:
    """PDFs already laid out, by the hash of their HTML: rebuilding an unchanged pack skips WeasyPrint.

    An entry is trusted only while the PDF file on disk still has the bytes it recorded.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict] = {}
        self.changed = False
        if path and path.exists():
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(path.read_text(encoding="utf-8"))
                self.entries = data if isinstance(data, dict) else {}

    @staticmethod
    def key(html: str) -> str:
        return hashlib.sha256(f"weasyprint {metadata.version('weasyprint')}\0{html}".encode()).hexdigest()

    def pages(self, target: Path, html: str) -> int | None:
        entry = self.entries.get(str(target.resolve()))
        if not isinstance(entry, dict) or entry.get("html") != self.key(html) or not isinstance(entry.get("pages"), int):
            return None
        try:
            if hashlib.sha256(target.read_bytes()).hexdigest() != entry.get("pdf"):
                return None
        except OSError:
            return None
        return entry["pages"]

    def record(self, target: Path, html: str, data: bytes, pages: int) -> None:
        self.entries[str(target.resolve())] = {"html": self.key(html), "pdf": hashlib.sha256(data).hexdigest(), "pages": pages}
        self.changed = True

    def save(self) -> None:
        """Best effort: without the cache the next build only takes longer."""
        if self.path and self.changed:
            self.entries = {k: v for k, v in self.entries.items() if Path(k).is_file()}  # forget deleted packs
            with contextlib.suppress(OSError):
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.entries, indent=0, sort_keys=True), encoding="utf-8")


@dataclass
class PackResult:
    output: Path
    files: dict[str, Path]
    pages: int | None
    """Pages of handout.pdf (None when no PDF was made)."""
    pdf_reused: bool = False
    """Every PDF was still up to date (none laid out again)."""
    seconds: float = 0.0
    pdf_pages: dict[str, int] = field(default_factory=dict)
    """Pages of each PDF, by file name."""


def prepare_output(output: Path) -> None:
    """Create the folder and prove it is writable before any slow work."""
    probe = output / ".jipp-kb-write-test"
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PackError(f"cannot write to {output}: {exc.strerror or exc}") from None


def _write(target: Path, data: bytes) -> None:
    try:
        store(target, data)
    except OSError as exc:
        raise PackError(f"cannot write to {target.parent}: {exc.strerror or exc}") from None


def write_texts(corpus: Corpus, spec: PackSpec, output: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Write every file but the PDFs and the ZIP (fast); returns them, and the HTML each PDF is laid out from, by PDF name."""
    prepare_output(output)
    pack = assemble(corpus, spec)
    htmls = {f"{doc.replace('_', '-')}.pdf": document_html(pack, doc) for doc in DOCUMENTS}
    texts: dict[str, bytes] = {name.removesuffix(".pdf") + ".html": html.encode("utf-8") for name, html in htmls.items()}
    texts |= {"matrix.csv": matrix_csv(pack), "pack.md": pack_md(pack).encode("utf-8")}
    for name, data in texts.items():
        _write(output / name, data)
    for name in OLD_FILES:
        (output / name).unlink(missing_ok=True)
    return {name: output / name for name in texts}, htmls


def write_zip(output: Path, files: dict[str, Path], day: date) -> Path:
    """``pack.zip`` of the files written, under a folder named like the pack's."""
    try:
        data = {name: path.read_bytes() for name, path in files.items() if name != "pack.zip"}
    except OSError as exc:
        raise PackError(f"cannot read {exc.filename}: {exc.strerror or exc}") from None
    target = output / "pack.zip"
    _write(target, pack_zip(data, output.name or "pack", day))
    return target


def layout_pdf(html: str, report: Callable[[str], None] | None = None) -> tuple[bytes, int]:
    try:
        from jipp_kb.render.pdf import html_to_pdf
    except OSError as exc:  # WeasyPrint loads Pango and HarfBuzz when imported
        raise PackError(
            f"WeasyPrint cannot load its system libraries ({exc}); install Pango "
            "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0) or use --no-pdf"
        ) from None

    # Every document inlines everything it needs, so no base URL is needed to resolve anything.
    return html_to_pdf(html, "about:blank", report)


def _ordered(files: dict[str, Path]) -> dict[str, Path]:
    return {name: files[name] for name in FILES if name in files}


@dataclass
class PdfJob:
    target: Path
    html: str


def _pdf_jobs(folder: Path, htmls: dict[str, str], pdf_cache: PdfCache | None, pages: dict[str, int]) -> list[PdfJob]:
    """The PDFs of one pack whose HTML changed since they were laid out; ``pages`` gets the page counts of the others."""
    jobs = []
    for name, html in htmls.items():
        target = folder / name
        known = pdf_cache.pages(target, html) if pdf_cache else None
        if known is None:
            jobs.append(PdfJob(target, html))
        else:
            pages[name] = known
    return jobs


def _lay_out(jobs: list[PdfJob], pdf_cache: PdfCache | None, workers: int | None, pages: dict[Path, int], done=None) -> None:
    """Lay out and write ``jobs``, largest first so the parallel workers finish together."""
    ordered = sorted(jobs, key=lambda j: -len(j.html))
    for job, (data, n) in zip(ordered, _layout_all([j.html for j in ordered], workers)):
        _write(job.target, data)
        if pdf_cache:
            pdf_cache.record(job.target, job.html, data, n)
        pages[job.target] = n
        if done:
            done(job)


def build_pack(
    corpus: Corpus,
    spec: PackSpec,
    output: Path,
    *,
    pdf: bool = True,
    report: Callable[[str], None] | None = None,
    pdf_cache: PdfCache | None = None,
    workers: int | None = None,
) -> PackResult:
    """Write the pack's files to ``output``; ``report`` receives progress messages."""
    clock = time.perf_counter()
    report = report or (lambda message: None)
    report(f"{len(spec.case_ids)} cases: handouts, matrix, questions, agenda, RTL template, evaluation form")
    files, htmls = write_texts(corpus, spec, output)
    pages: dict[str, int] = {}
    reused = False
    if pdf:
        jobs = _pdf_jobs(output, htmls, pdf_cache, pages)
        reused = not jobs
        if jobs:
            report(f"{len(jobs)} PDF: layout with WeasyPrint")
            laid: dict[Path, int] = {}
            _lay_out(jobs, pdf_cache, workers, laid, lambda job: report(f"{job.target.name} done"))
            pages |= {path.name: n for path, n in laid.items()}
        files |= {name: output / name for name in htmls}
    files["pack.zip"] = write_zip(output, _ordered(files), spec.date)
    pdf_pages = {name: pages[name] for name in FILES if name in pages}
    return PackResult(output, _ordered(files), pages.get("handout.pdf"), reused, time.perf_counter() - clock, pdf_pages)


def pdf_cache_for(config: Config) -> PdfCache:
    return PdfCache(config.resolve(config.index_dir) / "pack-cache.json")


# -- the site's packs ---------------------------------------------------------------------


def build_packs(
    corpus: Corpus, config: Config, site_dir: Path, *, progress: Progress | None = None, pdf: bool = True, workers: int | None = None
) -> dict[str, dict[str, str]]:
    """Build every collection's pack into ``site_dir/packs/<collection-id>/``.

    Returns collection id -> {file name: path relative to ``site_dir``}
    (``Urls.pack_file_path``), for the collection pages to link. Packs are in
    the config's language; a collection without valid cases gets no pack.
    Run it before ``build_site``, whose collection pages link the files present.
    Only PDFs whose HTML changed are laid out again, in parallel processes
    when there are several; each pack's ZIP is made once its PDFs are there.
    """
    cache_ = pdf_cache_for(config)
    wanted = [cid for cid in sorted(corpus.collections) if any(c in corpus.cases for c in corpus.collections[cid].cases)]
    lang = config.language if config.language in LANGS else "id"
    files: dict[str, dict[str, Path]] = {}
    days: dict[str, date] = {}
    jobs: list[PdfJob] = []
    try:
        with progress(len(wanted), "Learning packs") if progress else contextlib.nullcontext() as bar:
            for cid in wanted:
                selection = from_collection(corpus, cid, lang)
                spec = make_spec(corpus, selection, lang=lang, base_url=config.base_url, theme_dir=config.theme_path())
                folder = site_dir / Urls.pack_file_path(cid, "")
                files[cid], htmls = write_texts(corpus, spec, folder)
                days[cid] = spec.date
                if pdf:
                    jobs += _pdf_jobs(folder, htmls, cache_, {})
                    files[cid] |= {name: folder / name for name in htmls}
            waiting = {cid: sum(j.target.parent == site_dir / Urls.pack_file_path(cid, "") for j in jobs) for cid in wanted}

            def finished(job: PdfJob) -> None:
                cid = job.target.parent.name
                waiting[cid] -= 1
                if not waiting[cid]:
                    _zip_done(cid)

            def _zip_done(cid: str) -> None:
                files[cid]["pack.zip"] = write_zip(site_dir / Urls.pack_file_path(cid, ""), _ordered(files[cid]), days[cid])
                if bar is not None:
                    bar.update(1)

            for cid in wanted:
                if not waiting[cid]:
                    _zip_done(cid)
            _lay_out(jobs, cache_, workers, {}, finished)
    finally:
        cache_.save()
    _remove_stale((site_dir / Urls.pack_file_path("_", "")).parent, set(wanted))
    return {cid: {name: Urls.pack_file_path(cid, name) for name in _ordered(files[cid])} for cid in wanted}


def _layout_all(htmls: list[str], workers: int | None) -> Iterator[tuple[bytes, int]]:
    """PDFs in input order; several at once in forked processes (WeasyPrint is single-threaded Python).

    Fork, not spawn: spawn re-imports the caller's main module, which re-runs any script that calls
    ``build_packs`` without a ``__main__`` guard. Without fork (Windows, macOS default) layout is serial.
    """
    workers = min(workers or os.cpu_count() or 1, len(htmls))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(layout_pdf, htmls)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(layout_pdf, htmls)


def _remove_stale(packs: Path, keep: set[str]) -> None:
    """Pack files of collections that no longer exist (only the files a pack writes; other files stay)."""
    for folder in sorted(packs.iterdir()) if packs.is_dir() else []:
        if folder.is_dir() and folder.name not in keep:
            for name in (*FILES, *OLD_FILES):
                (folder / name).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
