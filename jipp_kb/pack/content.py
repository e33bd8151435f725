"""What a learning pack says about one case, taken only from the case's own text.

A facilitator must be able to trust that nothing in a pack was made up: every
checklist line, matrix cell and quoted fact is a sentence of the case study,
chosen by its position (the first sentences of a section) or by the words that
name a need (people, budget, regulation, partners). Nothing is paraphrased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html import unescape

from jipp_kb.corpus import Case
from jipp_kb.render.i18n import Strings
from jipp_kb.render.markdown import to_html

NEEDS: tuple[str, ...] = ("people", "budget", "regulation", "partners")
"""The four headings of the replication checklist, in the order a regency plans them."""

CHECKLIST_SECTIONS: tuple[str, ...] = ("Sumber Daya", "Pelaksanaan", "Keberlanjutan", "Replikasi")
"""Sections the checklist draws from, in this order."""


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?![\w-])", re.IGNORECASE)


LABELS: dict[str, re.Pattern[str]] = {
    "people": _words("orang", "tenaga", "sdm", "sumber daya manusia", "pelaksana", "personel", "petugas", "kader", "pengelola", "tim"),
    "budget": _words("anggaran", "pendanaan", "pembiayaan", "biaya", "dana"),
    "regulation": _words("regulasi", "dasar hukum", "kebijakan", "kelembagaan", "peraturan"),
    "partners": _words("mitra", "kemitraan", "kerja ?sama", "jejaring", "kolaborasi"),
}
"""A list item that starts with a bold label (``**Anggaran:**``) belongs to the needs its label names."""

# fmt: off
KEYWORDS: dict[str, re.Pattern[str]] = {
    "people": _words(
        "tenaga", "petugas", "pegawai", "asn", "sdm", "sumber daya manusia", r"kader\w*", "relawan", "bidan", "dokter", "perawat", "guru",
        "operator", "fasilitator", "pendamping", "penyuluh", "staf", "personel", "dilatih", "melatih", "pelatih",
        "(?:membentuk|dibentuk|pembentukan) tim",
    ),
    "budget": _words(
        r"anggaran\w*", r"apbd\w*", "apbn", "dana", r"biaya\w*", "dibiayai", "membiayai", "pembiayaan", "pendanaan", r"rp\s?\d[\d.,]*",
        "rupiah", r"usd\s?\d[\d.,]*", "insentif", r"honor\w*", "hibah", "csr", "dak", "bok", "blud",
    ),
    "regulation": _words(
        "perda", "perbup", "perwali", "perwal", "pergub", "perdes", "perkades", "peraturan", "keputusan", "sk", "surat edaran", "instruksi",
        "regulasi", "undang-undang", "uu", r"permen\w*", "perpres", "dasar hukum", "payung hukum", "ditetapkan", "penetapan",
    ),
    "partners": _words(
        "mitra", "bermitra", "kemitraan", "kerja sama", "bekerja sama", "kerjasama", "mou", "nota kesepahaman", "perjanjian", "pks",
        "swasta", "lsm", "ngo", "universitas", "perguruan tinggi", "bank", "bumn", "bumd", "bumdes", "donor", "unicef", "usaid", "giz",
        "undp", "bank dunia", "world bank", "pkk", "tokoh agama", "tokoh masyarakat", "lintas sektor", "ormas",
    ),
}
"""Words that tie an unlabelled sentence to a need (matched on its plain text, ignoring case)."""
# fmt: on

CHECKLIST_INTRO = re.compile(
    r"daftar periksa|yang perlu|perlu disiapkan|ingin (?:meniru|menerapkan|mereplikasi|membuat|memakai|melibatkan)", re.IGNORECASE
)
"""A paragraph like 'Daftar periksa bagi daerah yang ingin meniru:' introduces the case's own checklist."""

LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
LABEL = re.compile(r"^\*\*([^*]+?)\*\*\s*[:.]?\s*")
CITATION_TEXT = re.compile(r"\s?\[\d{1,3}(?:\s*,\s*\d{1,3})*\]")
SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?:\s?\[\d{1,3}(?:\s*,\s*\d{1,3})*\])*\s+(?=[A-Z0-9\"“‘(*\[])")
# fmt: off
ABBREVIATIONS = frozenset({
    "no", "nomor", "kab", "kec", "kel", "prov", "dr", "drg", "h", "hj", "ir", "prof", "st", "jl", "jln", "dkk", "tbk", "sdr", "bpk",
    "yth", "pt", "cv", "tel", "telp", "hlm", "vol", "a.n", "s.kep", "s.km", "m.kes", "s.st", "skm", "amd",
})
"""Words that end with a period without ending the sentence ('Perbup No. 12', 'dr. Ani')."""
# fmt: on

QUOTE_WORDS = 45
QUOTE_SHORT = 8
"""A quoted fact has at least this many words (a label alone says nothing)."""
MATRIX_SHORT = 25
"""A first sentence shorter than this many words is joined by the second in a matrix cell."""


@dataclass(frozen=True)
class Unit:
    """A sentence of a paragraph, or a whole list item: the smallest piece a pack quotes."""

    markdown: str
    section: str
    checklist: bool = False
    """A step of the case's own replication checklist (a list in Replikasi under 'Daftar periksa …')."""
    label: str | None = None

    @property
    def plain(self) -> str:
        return plain_text(self.markdown)


@dataclass
class Checklist:
    needs: dict[str, list[Unit]] = field(default_factory=dict)
    """Need -> units that speak of it, in section order."""
    other: list[Unit] = field(default_factory=list)
    """Steps of the case's own checklist that name none of the four needs."""


def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text, without citation markers like [3]."""
    text = CITATION_TEXT.sub("", unescape(re.sub(r"<[^>]+>", "", to_html(markdown))))
    return re.sub(r"\s+", " ", text).strip()


def region(case: Case, t: Strings) -> str:
    """Village, regency and province; 'Nasional'/'National' for a national innovation."""
    return t.region(case.meta.region if case.meta.province else None)


def _blocks(markdown: str) -> list[tuple[str, str]]:
    """``(kind, text)`` for each paragraph ('para') and list item ('item'), lines joined."""
    blocks: list[tuple[str, str]] = []
    kind, lines = "", []
    for line in [*markdown.splitlines(), ""]:
        item = LIST_ITEM.match(line)
        if (not line.strip() or item or line.lstrip().startswith("#")) and lines:
            blocks.append((kind, " ".join(lines)))
            kind, lines = "", []
        if item:
            kind, lines = "item", [item.group(1).strip()]
        elif line.strip() and not line.lstrip().startswith("#"):
            kind = kind or "para"
            lines.append(line.strip())
    return blocks


def sentences(text: str) -> list[str]:
    """Split running text into sentences, keeping citations with the sentence they close."""
    out, start = [], 0
    for match in SENTENCE_END.finditer(text):
        before = re.search(r"([\w.]+)[.!?][\"”’)]*$", text[start : match.start() + 1])
        word = before.group(1).lower() if before else ""
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        out.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def units(markdown: str, section: str) -> list[Unit]:
    """The quotable pieces of a section: paragraphs by sentence, list items whole."""
    out: list[Unit] = []
    in_checklist = False
    for kind, text in _blocks(markdown):
        if kind == "para":
            in_checklist = section == "Replikasi" and bool(CHECKLIST_INTRO.search(text)) and text.rstrip().endswith(":")
            out += [Unit(s, section) for s in sentences(text)]
        else:
            label = LABEL.match(text)
            out.append(Unit(text, section, in_checklist, label.group(1).strip().rstrip(":.").strip() if label else None))
    return out


def needs_of(unit: Unit) -> list[str]:
    """The needs a unit speaks of: by its bold label when it has one that names a need, else by its words."""
    if unit.label:
        by_label = [n for n in NEEDS if LABELS[n].search(unit.label)]
        if by_label:
            return by_label
    text = unit.plain
    return [n for n in NEEDS if KEYWORDS[n].search(text)]


def checklist(case: Case) -> Checklist:
    """What a regency needs to copy the case, from its Sumber Daya, Pelaksanaan, Keberlanjutan and Replikasi."""
    result = Checklist({n: [] for n in NEEDS})
    seen: dict[str, set[str]] = {n: set() for n in (*NEEDS, "other")}
    for title in CHECKLIST_SECTIONS:
        for unit in units(case.sections[title], title):
            key = unit.plain
            hit = needs_of(unit)
            for need in hit:
                if key not in seen[need]:
                    seen[need].add(key)
                    result.needs[need].append(unit)
            if not hit and unit.checklist and key not in seen["other"]:
                seen["other"].add(key)
                result.other.append(unit)
    return result


def opening(text: str, short: int, most: int = 2) -> str:
    """The first sentences of plain ``text``: until ``short`` words, at most ``most`` sentences of five words or more.

    A bold label that ends in a period ('Syarat minimal.', 'KPS berhenti.') is a short sentence of
    its own; it is kept with the sentence after it instead of standing alone.
    """
    taken: list[str] = []
    for sentence in sentences(text):
        taken.append(sentence)
        if len(" ".join(taken).split()) >= short or sum(len(s.split()) >= 5 for s in taken) >= most:
            break
    return " ".join(taken)


def lead(case: Case, section: str, short: int = MATRIX_SHORT) -> str:
    """The first one or two sentences of a section, as plain text (two when the first is short)."""
    return opening(" ".join(u.plain for u in units(case.sections[section], section)), short)


def quote(text: str, limit: int = QUOTE_WORDS) -> str:
    """A sentence cut at ``limit`` words with an ellipsis, for quoting in a question."""
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]).rstrip(",;:") + " …"


def first_sentence(case: Case, section: str) -> str:
    """The section's opening sentence, with the next one when the first is only a label."""
    return lead(case, section, QUOTE_SHORT)


def replicated_by(case_id: str, replicas: dict[str, list[str]], titles: dict[str, str]) -> list[str]:
    """Who copied the case: corpus cases by title, other regions by name."""
    return [titles.get(ref, ref) for ref in replicas.get(case_id, [])]


def questions(case: Case, t: Strings, checks: Checklist, replicas: list[str]) -> list[str]:
    """Discussion questions that quote the case's own facts; a question whose fact is missing is left out."""
    m = case.meta
    title = m.title
    q: list[str] = []
    used: set[str] = set()

    def ask(key: str, text: str, **values: str) -> None:
        if text and text not in used:
            used.add(text)
            q.append(t(f"pack.questions.{key}", title=title, quote=quote(text), **values))

    ask("need", first_sentence(case, "Sumber Daya"))
    ask("problem", first_sentence(case, "Latar Belakang dan Masalah"), region=region(case, t))
    ask("result", first_sentence(case, "Hasil dan Dampak"))
    for need in NEEDS:
        items = checks.needs[need]
        if items:
            ask(need, opening(items[0].plain, QUOTE_SHORT))
    ask("stopped" if m.status == "berhenti" else "sustain", first_sentence(case, "Keberlanjutan"))
    if replicas:
        q.append(t("pack.questions.replicated", title=title, replicas=", ".join(replicas)))
    return q


@dataclass(frozen=True)
class AgendaBlock:
    start: int
    """Minutes after midnight."""
    minutes: int
    title: str
    note: str


AGENDA_START = 8 * 60
CASE_TIME = 120
"""Minutes for all case sessions together, shared equally (10–30 minutes each, in steps of 5)."""


def agenda(titles: list[tuple[str, str]], t: Strings) -> list[AgendaBlock]:
    """A half-day plan: opening, one session per case (a break half-way), group work, plan of action, closing."""
    per_case = max(10, min(30, CASE_TIME // max(len(titles), 1) // 5 * 5))
    plan: list[tuple[int, str, str]] = [(15, t("pack.agenda.opening"), t("pack.agenda.opening_note"))]
    half = (len(titles) + 1) // 2
    for i, (title, region) in enumerate(titles, 1):
        plan.append((per_case, t("pack.agenda.case", n=i, title=title), t("pack.agenda.case_note", region=region)))
        if i == half:
            plan.append((15, t("pack.agenda.break"), ""))
    plan += [
        (45, t("pack.agenda.group"), t("pack.agenda.group_note")),
        (30, t("pack.agenda.action"), t("pack.agenda.action_note")),
        (15, t("pack.agenda.closing"), t("pack.agenda.closing_note")),
    ]
    blocks, at = [], AGENDA_START
    for minutes, title, note in plan:
        blocks.append(AgendaBlock(at, minutes, title, note))
        at += minutes
    return blocks


def clock(minutes: int, t: Strings) -> str:
    return f"{minutes // 60:02d}{t('pack.agenda.time_sep')}{minutes % 60:02d}"


def newest_review(cases: list[Case]) -> date:
    """The pack's date: the newest last_reviewed of its cases, so the same cases always give the same date."""
    return max(c.meta.last_reviewed for c in cases)
