"""What a learning pack shows, and its documents: HTML pages, the matrix as CSV, the text as Markdown, the ZIP.

``assemble`` computes everything once from the cases (``content`` for what
each case says, ``agenda`` for the plans); the functions below write it in
each format. The writing to disk and the PDF layout are ``build.py``'s.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup
from slugify import slugify

from jipp_kb import __version__
from jipp_kb.corpus import Case, Corpus, replication_links
from jipp_kb.pack import agenda, content
from jipp_kb.pack.select import PackError, Selection
from jipp_kb.render.i18n import I18nError, Strings, flat_keys
from jipp_kb.render.markdown import CITE_TARGET, to_html
from jipp_kb.render.pages import PACK_DOCUMENTS
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
SHORT_QUESTIONS = 3
"""Questions per case in the short handout."""


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


@lru_cache(maxsize=4096)
def _case_html(markdown: str, case_id: str) -> Markup:
    """A section as sanitised HTML, its citations pointing at this case's sources (ids are per case in a pack)."""
    html = CITE_HREF.sub(lambda m: f'href="#{source_anchor(case_id, int(m.group(1)))}"', to_html(markdown))
    return Markup(html)


@lru_cache(maxsize=8192)
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
    agendas: dict[str, list[agenda.AgendaBlock]]

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
    agendas = {day: agenda.plan(titles_regions, t, day) for day in agenda.DAYS}
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


def _agenda_row(block: agenda.AgendaBlock, t: Strings) -> dict:
    return {
        "time": f"{agenda.clock(block.start, t)}–{agenda.clock(block.start + block.minutes, t)}",
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


# -- the site's pack page -----------------------------------------------------------------


def case_fragments(pack: Pack) -> list[dict]:
    """Each case of the pack as the site's pack page assembles it (``pack/fragments.py``).

    ``html`` is the full handout's article of the case (``site/pack/case.html``:
    autoescaped, sections sanitised by the site's Markdown renderer), without its
    "Kasus n dari N" line, which the page numbers itself; the matrix row and the
    headings around it are plain text, inserted as text.
    """
    t = pack.t
    template = pack.theme.env.get_template("case.html")
    context = _context(pack)
    headings = {key: t(f"pack.matrix.{key}") for key in ("title", "intro", "profile", "resources_title")}
    headings["case_of"] = t("pack.case_of", n="{n}", total="{total}")
    return [
        {
            "id": view["id"],
            "title": view["title"],
            "region": view["region"],
            "html": template.render(**context, c={**view, "of": ""}).strip(),
            "matrix": {
                "profile": [[label, row[col]] for col, label in pack.columns(PROFILE_COLUMNS)],
                "resources": [[label, row[col]] for col, label in pack.columns(RESOURCE_COLUMNS)],
            },
            "headings": headings,
        }
        for view, row in zip(pack.cases, pack.matrix)
    ]


def cross_data(pack: Pack) -> dict:
    """The questions across the pack's cases, as plain text (the served pack page shows them; they need every case)."""
    t = pack.t
    return {
        "title": t("pack.cross.title"),
        "intro": t("pack.cross.intro"),
        "questions": [{"text": q.text, "items": q.items} for q in pack.cross],
    }
