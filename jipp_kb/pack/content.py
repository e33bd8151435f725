"""What a learning pack says about one case, taken only from the case's own text.

A facilitator must be able to trust that nothing in a pack was made up: every
checklist line, matrix cell and quoted fact is a sentence of the case study,
chosen by its position (the first sentences of a section) or by the words that
name a need (people, budget, regulation, partners). Nothing is paraphrased.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
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
"""A quoted sentence has at least this many words (a label alone says nothing)."""


@dataclass(frozen=True)
class Unit:
    """A sentence of a paragraph, or a whole list item: the smallest piece a pack quotes."""

    markdown: str
    section: str
    checklist: bool = False
    """A step of the case's own replication checklist (a list in Replikasi under 'Daftar periksa …')."""
    label: str | None = None
    """The bold label it starts with ('**Anggaran:**'), which says what it is about."""

    @property
    def plain(self) -> str:
        return plain_text(self.markdown)


@dataclass
class Checklist:
    needs: dict[str, list[Unit]] = field(default_factory=dict)
    """Need -> units that speak of it, in section order."""
    other: list[Unit] = field(default_factory=list)
    """Steps of the case's own checklist that name none of the four needs."""


@lru_cache(maxsize=8192)
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


def _label(text: str) -> str | None:
    """The bold label a list item or a paragraph starts with ('**Anggaran:**', '**Anggaran (ringkas).**'), without its colon or period."""
    match = LABEL.match(text)
    return match.group(1).strip().rstrip(":.").strip() if match else None


@lru_cache(maxsize=1024)
def units(markdown: str, section: str) -> tuple[Unit, ...]:
    """The quotable pieces of a section: paragraphs by sentence, list items whole."""
    out: list[Unit] = []
    in_checklist = False
    for kind, text in _blocks(markdown):
        if kind == "para":
            in_checklist = section == "Replikasi" and bool(CHECKLIST_INTRO.search(text)) and text.rstrip().endswith(":")
            out += [Unit(s, section, label=_label(s)) for s in sentences(text)]
        else:
            out.append(Unit(text, section, in_checklist, _label(text)))
    return tuple(out)


def needs_of(unit: Unit) -> list[str]:
    """The needs a unit speaks of: by its bold label when it has one that names a need, else by its words."""
    if unit.label:
        by_label = [n for n in NEEDS if LABELS[n].search(unit.label)]
        if by_label:
            return by_label
    text = unit.plain
    return [n for n in NEEDS if KEYWORDS[n].search(text)]


Sorter = Callable[[Sequence[Unit]], list[list[str]]]
"""Gives the needs of each of a case's checklist units; ``meaning.MeaningSorter`` is the one that also reads meaning."""


def by_keywords(found: Sequence[Unit]) -> list[list[str]]:
    """The default sorter: bold labels, then words (``needs_of``); sorting by meaning did not beat it (docs/packs.md)."""
    return [needs_of(unit) for unit in found]


def checklist(case: Case, sorter: Sorter = by_keywords) -> Checklist:
    """What a regency needs to copy the case, from its Sumber Daya, Pelaksanaan, Keberlanjutan and Replikasi."""
    result = Checklist({n: [] for n in NEEDS})
    seen: dict[str, set[str]] = {n: set() for n in (*NEEDS, "other")}
    found = [unit for title in CHECKLIST_SECTIONS for unit in units(case.sections[title], title)]
    for unit, hit in zip(found, sorter(found)):
        key = unit.plain
        for need in hit:
            if key not in seen[need]:
                seen[need].add(key)
                result.needs[need].append(unit)
        if not hit and unit.checklist and key not in seen["other"]:
            seen["other"].add(key)
            result.other.append(unit)
    return result


def quote(text: str, limit: int = QUOTE_WORDS) -> str:
    """A sentence cut at ``limit`` words with an ellipsis, for quoting in a question or a matrix cell."""
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]).rstrip(",;:") + " …"


def replicated_by(case_id: str, replicas: dict[str, list[str]], titles: dict[str, str]) -> list[str]:
    """Who copied the case: corpus cases by title, other regions by name."""
    return [titles.get(ref, ref) for ref in replicas.get(case_id, [])]


# -- facts: short verbatim pieces of the case, by what they hold ---------------------------


# fmt: off
AMOUNT = re.compile(
    r"(?:Rp\.?\s?\d[\d.,]*(?:\s?(?:ribu|juta|miliar|milyar|triliun))?|\d[\d.,]*\s?(?:ribu|juta|miliar|milyar|triliun)?\s?rupiah"
    r"|(?:USD|US\$)\s?\d[\d.,]*(?:\s?(?:ribu|juta|miliar|million|billion))?)",
    re.IGNORECASE,
)
"""A sum of money as a case writes it: 'Rp1,8 miliar', 'Rp 350 juta', '2 juta rupiah', 'USD 40.000'."""
BUDGET_SOURCE = _words(
    r"anggaran\w*", "dianggarkan", r"apbd\w*", "apbn", "dana desa", "donor", "dak", "bok", "blud", "csr", "hibah", "swadaya", "iuran", "dibiayai",
    "membiayai", "pembiayaan", "pendanaan", "insentif", "investasi", "menginvestasikan", r"biaya\w*", "dana",
)
"""Where money comes from or goes: what makes a sentence about the innovation's budget."""
FUNDING = _words(r"apbd\w*", "apbn", "dana desa", "dak", "bok", "blud", "csr", "hibah", "swadaya", "iuran", "dibiayai", "membiayai", "donor")
"""A named source of money ('dibiayai APBD Kota Makassar'): a budget fact even without a sum."""
REG_TYPE = (
    r"(?:Peraturan\s+(?:Bupati|Wali\s?[Kk]ota|Daerah|Gubernur|Desa|Kepala\s+Desa|Menteri|Presiden|Pemerintah)"
    r"|Keputusan\s+(?:Bupati|Wali\s?[Kk]ota|Gubernur|Menteri|Kepala|Presiden|Direktur|Sekretaris)"
    r"|Surat\s+Edaran|Instruksi\s+(?:Bupati|Wali\s?[Kk]ota|Gubernur|Presiden|Menteri)|Undang-Undang"
    r"|Perbup|Perwali|Perwal|Perda|Pergub|Perdes|Perkades|Permen\w*|Perpres|Inpres|Kepmen\w*|Kepbup|SK|SE|UU|PP)"
)
REGULATION_NAME = re.compile(
    rf"\b{REG_TYPE}(?:\s+[A-Z][\w.-]*){{0,6}}?\s+(?:Nomor|No\.?)\s*\d[\w./-]*(?:\s+[Tt]ahun\s+\d{{4}})?"
    rf"|\b{REG_TYPE}\s+\d{{1,4}}/\d{{4}}\b"
)
"""A regulation named with its number: 'Peraturan Desa Nomor 7 Tahun 2013', 'Perbup No. 12 Tahun 2019', 'Perda 2/2014'."""
REGULATION_WORD = _words(
    "perda", "perbup", "perwali", "perwal", "pergub", "perdes", "perkades", "peraturan", "keputusan", "sk", "surat edaran",
    "instruksi", "regulasi", "undang-undang", "uu", r"permen\w*", "perpres", "dasar hukum", "payung hukum",
)
LEGAL_LABEL = _words("regulasi", "dasar hukum", "payung hukum", "peraturan", "regulation", "legal basis")
"""A bold label whose item states the legal basis ('**Regulasi:**'; not '**Kelembagaan:**', which describes an organisation)."""
LAW = _words("undang-undang", "uu", "peraturan", "perda", "perbup", "perwali", "pergub", r"permen\w*", "perpres", "keputusan", "regulasi")
"""A sentence that cites a law states the legal frame, not the problem people had."""
FAILURE = _words(
    "berhenti", "terhenti", "dihentikan", "tidak lagi", "gagal", "kendala", "hambatan", "tantangan", "vakum", "mandek",
    "tidak berjalan", "sulit", "kesulitan", "keterbatasan", "kekurangan", "risiko", "berisiko",
)
"""What went wrong or could: a failure, an obstacle, a risk."""
NOT_STATED = re.compile(
    r"\b(?:tidak|belum)\s+(?:di)?(?:sebut\w*|menyebut\w*|publikasikan|dipublikasikan|mempublikasikan|temukan|ditemukan|memuat|dimuat"
    r"|tersedia|mencantumkan|dicantumkan|merinci|dirinci)|\btanpa\s+menyebut|\btidak\s+ada\s+(?:sumber|data|angka|informasi)\b",
    re.IGNORECASE,
)
"""'sumber publik tidak menyebut besaran anggaran': the case says the fact is missing."""
# fmt: on
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
MONTHS = "januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
FIGURE = re.compile(rf"(?<![\w/.,])\d+(?:[.,]\d+)*(?!\s*(?:{MONTHS})\b)(?![\d.,]*\w)", re.IGNORECASE)
"""A number in running text (years and the day of a date are left out by ``figures``)."""
RANK = re.compile(r"\b(?:Top|TOP|peringkat|juara)\s*$")
"""'Top 99' names an award tier, not a result."""
CITE_NUMBERS = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
CELL_WORDS = 18
"""A matrix cell quotes at most this many words of its clause."""

PEOPLE_SECTIONS = ("Sumber Daya", "Pelaksanaan")
BUDGET_SECTIONS = ("Sumber Daya", "Pelaksanaan", "Keberlanjutan")
REGULATION_SECTIONS = ("Sumber Daya", "Pelaksanaan", "Inovasi", "Keberlanjutan")
PARTNER_SECTIONS = ("Sumber Daya", "Pelaksanaan", "Keberlanjutan")
FAILURE_SECTIONS = ("Keberlanjutan", "Pelajaran", "Pelaksanaan")


def figures(text: str) -> list[str]:
    """The numbers of ``text`` that are figures: not a year, not the day of a date."""
    return [m.group(0) for m in FIGURE.finditer(text) if not YEAR.fullmatch(m.group(0)) and not RANK.search(text, 0, m.start())]


@dataclass(frozen=True)
class Fact:
    """A short verbatim piece of one sentence (or list item) of the case, with the sources that sentence cites."""

    text: str
    """Plain text, a verbatim piece of ``unit`` (cut with ' …' when long)."""
    section: str
    sources: tuple[int, ...]
    unit: str
    """The plain text of the whole sentence or list item it comes from."""

    @property
    def cell(self) -> str:
        return self.text + (f" [{', '.join(map(str, self.sources))}]" if self.sources else "")


@dataclass(frozen=True)
class Clause:
    unit: Unit
    plain: str
    sources: tuple[int, ...]
    first: bool
    """The unit's first clause: what a bold label ('**Regulasi:**') says first."""

    @property
    def label(self) -> str | None:
        return self.unit.label


@lru_cache(maxsize=8192)
def clauses(unit: Unit) -> tuple[Clause, ...]:
    """A unit's sentences and their parts between semicolons, without its bold label, each with the citations it carries."""
    lead = LABEL.match(unit.markdown)
    body = unit.markdown[lead.end() :] if lead else unit.markdown
    out: list[Clause] = []
    for sentence in sentences(body):
        cited = _cited(sentence)
        for part in re.split(r";\s+", sentence):
            plain = plain_text(part).rstrip(" .;:")
            if plain:
                out.append(Clause(unit, plain, _cited(part) or cited, not out))
    return tuple(out)


def _cited(markdown: str) -> tuple[int, ...]:
    """Source numbers cited in ``markdown`` ('[3][5]', '[1, 2]'), each once; a clause without its own takes its sentence's."""
    return tuple(dict.fromkeys(int(n) for group in CITE_NUMBERS.findall(markdown) for n in re.split(r"\s*,\s*", group)))


def _units(case: Case, sections: tuple[str, ...]) -> list[Unit]:
    return [u for title in sections for u in units(case.sections[title], title)]


def _fact(clause: Clause, text: str | None = None) -> Fact:
    return Fact(quote(text or clause.plain, CELL_WORDS), clause.unit.section, clause.sources, clause.unit.plain)


def _first(case: Case, sections: tuple[str, ...], test) -> Fact | None:
    """The first clause in ``sections`` that passes ``test`` (which may return the piece of it to keep)."""
    for unit in _units(case, sections):
        for clause in clauses(unit):
            hit = test(clause)
            if hit:
                return _fact(clause, hit if isinstance(hit, str) else None)
    return None


def _labelled(need: str, label: re.Pattern[str] | None = None):
    """What a list item whose bold label names ``need`` ('**Orang:**') says first, unless that is that the fact is missing."""
    label = label or LABELS[need]
    return lambda c: c.first and bool(c.label and label.search(c.label)) and not NOT_STATED.search(c.plain)


def _other_label(clause: Clause, need: str) -> bool:
    """The clause sits under a bold label that names another need ('**Tenaga:** … anggarannya terjangkau')."""
    label = clause.label or ""
    return any(LABELS[n].search(label) for n in NEEDS if n != need) and not LABELS[need].search(label)


def budget(case: Case) -> Fact | None:
    """A sum of money spent on the innovation (and where it came from), else where the money came from."""
    with_amount = _first(case, BUDGET_SECTIONS, lambda c: bool(AMOUNT.search(c.plain)) and _is_budget(c))
    return with_amount or _first(
        case, BUDGET_SECTIONS, lambda c: bool(FUNDING.search(c.plain)) and not NOT_STATED.search(c.plain) and not _other_label(c, "budget")
    )


def _is_budget(clause: Clause) -> bool:
    label = clause.label or ""
    said = BUDGET_SOURCE.search(clause.plain) or LABELS["budget"].search(label) or BUDGET_SOURCE.search(label)
    return bool(said) and not _other_label(clause, "budget")


def legal_basis(case: Case) -> Fact | None:
    """A regulation named with its number, else what a 'Regulasi' item says (unless it says nothing is known)."""
    named = _first(case, REGULATION_SECTIONS, lambda c: (m := REGULATION_NAME.search(c.plain)) and m.group(0))
    return named or _first(case, ("Sumber Daya",), _labelled("regulation", LEGAL_LABEL))


def _said(need: str, sections: tuple[str, ...]):
    """The first clause that names ``need`` by its words, unless it says the fact is missing or sits under another need's label."""
    return lambda case: _first(
        case, sections, lambda c: bool(KEYWORDS[need].search(c.plain)) and not NOT_STATED.search(c.plain) and not _other_label(c, need)
    )


def people(case: Case) -> Fact | None:
    return _first(case, ("Sumber Daya",), _labelled("people")) or _said("people", PEOPLE_SECTIONS)(case)


def partners(case: Case) -> Fact | None:
    return _first(case, ("Sumber Daya",), _labelled("partners")) or _said("partners", PARTNER_SECTIONS)(case)


def key_result(case: Case) -> Fact | None:
    """One figure with its year from Hasil dan Dampak, else the first figure there."""
    found = lambda c: bool(figures(c.plain)) and not NOT_STATED.search(c.plain)  # noqa: E731 - a test, named for reading
    dated = _first(case, ("Hasil dan Dampak",), lambda c: found(c) and bool(YEAR.search(c.plain)))
    return dated or _first(case, ("Hasil dan Dampak",), found)


@dataclass(frozen=True)
class Facts:
    """What the matrix compares for one case, each a verbatim piece of a cited sentence or None when the case does not say."""

    budget: Fact | None
    people: Fact | None
    legal_basis: Fact | None
    partners: Fact | None
    key_result: Fact | None


def facts(case: Case) -> Facts:
    return Facts(budget(case), people(case), legal_basis(case), partners(case), key_result(case))


# -- questions that fit what a section holds -----------------------------------------------


@dataclass(frozen=True)
class Question:
    kind: str
    """What the quote holds: problem, result, people, cost, cost_unknown, regulation, partner, failure, stopped, sustain, replicated."""
    text: str
    quote: str = ""
    """The quoted sentence, verbatim (cut with ' …'); empty for a question built from the front matter."""
    section: str = ""
    sentence: str = ""
    """The whole sentence (or list item) the quote comes from, as plain text."""


QUESTION_SECTIONS: dict[str, tuple[str, ...]] = {
    "problem": ("Latar Belakang dan Masalah",),
    "result": ("Hasil dan Dampak",),
    "people": PEOPLE_SECTIONS,
    "cost": BUDGET_SECTIONS,
    "cost_unknown": BUDGET_SECTIONS,
    "regulation": REGULATION_SECTIONS,
    "partner": PARTNER_SECTIONS,
    "failure": FAILURE_SECTIONS,
    "stopped": ("Keberlanjutan",),
    "sustain": ("Keberlanjutan",),
}
"""The sections a question of each kind may quote."""


def _sentence(case: Case, sections: tuple[str, ...], test, min_words: int = QUOTE_SHORT) -> Unit | None:
    for unit in _units(case, sections):
        if len(unit.plain.split()) >= min_words and test(unit):
            return unit
    return None


def _stated(pattern: re.Pattern[str], text: str, also: re.Pattern[str] | None = None) -> bool:
    """A part of ``text`` (between sentence ends and semicolons) names ``pattern`` (and ``also``) without saying it is unknown."""
    return any(
        pattern.search(part) and (also is None or also.search(part)) and not NOT_STATED.search(part)
        for part in re.split(r"(?<=[.;])\s+", text)
    )


def fits(kind: str, text: str) -> bool:
    """Whether a quoted sentence holds what a question of ``kind`` asks about (and does not say it is unknown)."""
    return {
        "problem": lambda: not LAW.search(text),
        "result": lambda: bool(figures(text)) and not NOT_STATED.search(text),
        "people": lambda: _stated(KEYWORDS["people"], text) or _stated(LABELS["people"], text),
        "cost": lambda: _stated(AMOUNT, text, BUDGET_SOURCE) or _stated(FUNDING, text),
        "cost_unknown": lambda: bool(BUDGET_SOURCE.search(text) and NOT_STATED.search(text)) and not AMOUNT.search(text),
        "regulation": lambda: bool(REGULATION_NAME.search(text)) or _stated(REGULATION_WORD, text),
        "partner": lambda: _stated(KEYWORDS["partners"], text) or _stated(LABELS["partners"], text),
        "failure": lambda: bool(FAILURE.search(text)),
        "stopped": lambda: bool(FAILURE.search(text)),
        "sustain": lambda: not FAILURE.search(text),
    }[kind]()


QUESTION_NEED = {"people": "people", "cost": "budget", "cost_unknown": "budget", "regulation": "regulation", "partner": "partners"}
"""Kinds that ask about a need: their sentence must not sit under another need's bold label."""


def _pick(case: Case, kind: str, prefer=None) -> Unit | None:
    """The first sentence of the kind's sections that fits it, one that also passes ``prefer`` first."""
    sections = QUESTION_SECTIONS[kind]
    need = QUESTION_NEED.get(kind)

    def ok(unit: Unit) -> bool:
        if need and unit.label and any(LABELS[n].search(unit.label) for n in NEEDS if n != need) and not LABELS[need].search(unit.label):
            return False
        return fits(kind, unit.plain)

    if prefer:
        hit = _sentence(case, sections, lambda u: ok(u) and prefer(u.plain))
        if hit:
            return hit
    return _sentence(case, sections, ok)


def questions(case: Case, t: Strings, replicas: list[str]) -> list[Question]:
    """Discussion questions, each quoting a sentence that holds what it asks about; a question without one is left out."""
    m = case.meta
    picks: list[tuple[str, Unit | None]] = [
        ("problem", _pick(case, "problem", lambda text: bool(figures(text)))),
        ("result", _pick(case, "result", lambda text: bool(YEAR.search(text)))),
        ("people", _pick(case, "people")),
    ]
    cost = _pick(case, "cost", lambda text: bool(AMOUNT.search(text)))
    picks.append(("cost", cost) if cost else ("cost_unknown", _pick(case, "cost_unknown")))
    picks += [
        ("regulation", _pick(case, "regulation", lambda text: bool(REGULATION_NAME.search(text)))),
        ("partner", _pick(case, "partner")),
    ]
    if m.status == "berhenti":
        picks.append(("stopped", _pick(case, "stopped")))
    else:
        picks += [("failure", _pick(case, "failure")), ("sustain", _pick(case, "sustain"))]
    out: list[Question] = []
    used: set[str] = set()
    for kind, unit in picks:
        if unit is None or unit.plain in used:
            continue
        used.add(unit.plain)
        text = quote(unit.plain)
        values = {"title": m.title, "quote": text, "region": region(case, t)}
        out.append(Question(kind, t(f"pack.questions.{kind}", **values), text, unit.section, unit.plain))
    if replicas:
        out.append(Question("replicated", t("pack.questions.replicated", title=m.title, replicas=", ".join(replicas))))
    return out


@dataclass(frozen=True)
class CrossQuestion:
    text: str
    items: list[str] = field(default_factory=list)
    """The facts of each case the question compares ('Title: cell'), from the matrix."""


def cross_questions(cases: list[Case], facts_of: dict[str, Facts], t: Strings, replicas: dict[str, list[str]]) -> list[CrossQuestion]:
    """Questions across the pack's cases, each listing the facts it compares (left out when the cases give none)."""
    out: list[CrossQuestion] = []
    missing = t("pack.matrix.not_published")

    def listed(get) -> list[str]:
        return [f"{c.meta.title}: {get(c)}" for c in cases if get(c)]

    budgets = listed(lambda c: facts_of[c.id].budget.cell if facts_of[c.id].budget else missing)
    if budgets:
        out.append(CrossQuestion(t("pack.cross.budget"), budgets))
    laws = listed(lambda c: facts_of[c.id].legal_basis.cell if facts_of[c.id].legal_basis else "")
    if laws:
        out.append(CrossQuestion(t("pack.cross.regulation"), laws))
    people_ = listed(lambda c: facts_of[c.id].people.cell if facts_of[c.id].people else "")
    if people_:
        out.append(CrossQuestion(t("pack.cross.people"), people_))
    stopped = [c.meta.title for c in cases if c.meta.status == "berhenti"]
    running = [c.meta.title for c in cases if c.meta.status == "berjalan"]
    if stopped and running:
        out.append(CrossQuestion(t("pack.cross.stopped", stopped=", ".join(stopped), running=", ".join(running))))
    digital = [c.meta.title for c in cases if c.meta.jenis == "digital"]
    other = [c.meta.title for c in cases if c.meta.jenis != "digital"]
    if digital and other:
        out.append(CrossQuestion(t("pack.cross.digital", digital=", ".join(digital), other=", ".join(other))))
    copied = [c.meta.title for c in cases if replicas.get(c.id)]
    if copied:
        out.append(CrossQuestion(t("pack.cross.replicated", cases=", ".join(copied))))
    results = listed(lambda c: facts_of[c.id].key_result.cell if facts_of[c.id].key_result else "")
    if results:
        out.append(CrossQuestion(t("pack.cross.results"), results))
    out.append(CrossQuestion(t("pack.cross.own_problem")))
    return out


def newest_review(cases: list[Case]) -> date:
    """The pack's date: the newest last_reviewed of its cases, so the same cases always give the same date."""
    return max(c.meta.last_reviewed for c in cases)
