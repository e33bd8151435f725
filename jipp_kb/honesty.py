"""Rules that guard a case's honesty rather than its form.

A figure nobody can trace, a private person's number, or an example value
left over from the template all pass the schema; these rules catch them.
Uncited figures are warnings (``check --strict`` makes them errors): a
sentence may restate a figure cited a sentence earlier, which only a reader
can judge. The other two are errors.
"""

from __future__ import annotations

import re

from jipp_kb.load import RawCase, Section
from jipp_kb.problems import Problem
from jipp_kb.validate import CITATION

UNITS = (
    "kasus orang hari jam menit detik minggu pekan bulan km kilometer meter hektare ha ton kg liter unit desa "
    "kelurahan kecamatan kabupaten keluarga kk warga penduduk pasien ibu bayi balita anak siswa murid guru sekolah "
    "dokumen akta berkas layanan laporan pengaduan aduan rumah titik kader petugas relawan pegawai asn peserta "
    "pengunjung kunjungan penerima jiwa lembar buku posyandu puskesmas perempuan pelaku umkm usaha nelayan petani "
    "people cases days hours minutes households villages"
)
FIGURE = re.compile(
    r"\d+(?:[.,]\d+)*\s?(?:%|persen\b|percent\b)"
    r"|\bRp\.?\s?\d[\d.,]*(?:\s?(?:ribu|juta|miliar|triliun))?"
    r"|\bUS?\$\s?\d"
    r"|\b\d+(?:[.,]\d+)*\s+(?:(?:ribu|juta|miliar|triliun|thousand|million|billion)\s+)?(?:" + "|".join(UNITS.split()) + r")\b",
    re.IGNORECASE,
)
"""A figure in the sense of the contributing guide: a percentage, an amount of money, a count with its unit.

Years, regulation numbers ("Nomor 5 Tahun 2019") and ranks ("Top 99") are not figures.
"""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
ABBREVIATION = re.compile(r"(?:^|\s)(?:dr|drg|Dr|No|Nomor|Kab|Kec|Kel|Jl|Prof|Ir|H|Hj|St|Bpk|Sdr|dll|dsb|dkk|a\.n|u\.p|Tbk)\.$")
"""Words whose full stop does not end a sentence ("dr. Andi", "No. 5")."""
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)]|\|)\s")
EMAIL = re.compile(r"[\w.%+-]+@([\w-]+(?:\.[\w-]+)+)")
PERSONAL_MAIL = frozenset(
    "gmail.com googlemail.com yahoo.com yahoo.co.id ymail.com rocketmail.com hotmail.com outlook.com outlook.co.id "
    "live.com msn.com icloud.com me.com aol.com proton.me protonmail.com mail.com gmx.com yandex.com zoho.com".split()
)
"""Free mail providers: an address there belongs to a person, not to an office (offices use their own domain)."""
PHONE = re.compile(r"(?<![\w/])(?:\+?62|0)[\s.-]?8\d(?:[\s.-]?\d){7,11}(?!\d)")


def validate_honesty(raw: RawCase, template: RawCase | None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of one case."""
    errors = _personal_data(raw) + _template_values(raw, template)
    warnings = [w for s in raw.sections for w in _uncited_figures(raw, s)]
    return errors, warnings


def _uncited_figures(raw: RawCase, section: Section) -> list[Problem]:
    """Sentences with a figure and no citation in the same sentence (or right after its full stop)."""
    problems = []
    for line, text in _blocks(section):
        sentences = _sentences(text)
        for i, sentence in enumerate(sentences):
            figure = FIGURE.search(sentence)
            if not figure or CITATION.search(sentence):
                continue
            if i + 1 < len(sentences) and CITATION.match(sentences[i + 1]):
                continue
            offset = text.find(sentence) + figure.start()
            message = f"figure '{figure.group(0)}' without a citation [n] in its sentence"
            problems.append(Problem(raw.display, line + text.count("\n", 0, offset), f"section '{section.title}'", message, "warning"))
    return problems


def _sentences(text: str) -> list[str]:
    """Sentences of a block; a full stop after an abbreviation does not end one."""
    out: list[str] = []
    for part in SENTENCE_END.split(text):
        if out and ABBREVIATION.search(out[-1]):
            out[-1] += " " + part
        else:
            out.append(part)
    return out


def _blocks(section: Section) -> list[tuple[int, str]]:
    """Paragraphs, list items and table rows of a section, each with its first line."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for i, line in enumerate(section.markdown.split("\n") + [""]):
        new_item = bool(LIST_ITEM.match(line))
        if (not line.strip() or new_item) and current:
            blocks.append((section.text_line + start, "\n".join(current)))
            current = []
        if line.strip():
            if not current:
                start = i
            current.append(line)
    return blocks


def _personal_data(raw: RawCase) -> list[Problem]:
    """Mobile numbers and free-mail addresses in the body or the contacts: they belong to people, not offices."""
    problems = []
    for section in raw.sections:
        for i, text in enumerate(section.markdown.split("\n")):
            line = section.text_line + i
            for m in PHONE.finditer(text):
                problems.append(
                    Problem(raw.display, line, "body", f"'{m.group(0)}' looks like a personal mobile number; name the office instead")
                )
            for m in EMAIL.finditer(text):
                if m.group(1).lower() in PERSONAL_MAIL:
                    problems.append(
                        Problem(raw.display, line, "body", f"'{m.group(0)}' is a personal e-mail address; give an office's address")
                    )
    for i, contact in enumerate(raw.data.get("contacts") or []):
        email = contact.get("email") if isinstance(contact, dict) else None
        if isinstance(email, str) and email.rpartition("@")[2].lower() in PERSONAL_MAIL:
            problems.append(
                Problem(
                    raw.display,
                    raw.line_of(("contacts", i, "email")),
                    f"contacts.{i}.email",
                    "a personal e-mail address; give an office's address",
                )
            )
    return problems


def _template_values(raw: RawCase, template: RawCase | None) -> list[Problem]:
    """The example contacts and tags of ``_template.md`` left in a case: they never belong to a real one.

    (The template gives no example award or start year: those would be real
    values a case may have, so they could not be told from a leftover.)
    """
    if template is None:
        return []
    found: list[tuple[tuple[str | int, ...], str]] = []
    for i, contact in enumerate(raw.data.get("contacts") or []):
        if contact in (template.data.get("contacts") or []):
            found.append((("contacts", i), "the template's example contact"))
    if raw.data.get("tags") and raw.data.get("tags") == template.data.get("tags"):
        found.append((("tags",), "the template's example tags; use words an official would search for"))
    return [
        Problem(raw.display, raw.line_of(loc), ".".join(map(str, loc)), f"still {what}; replace it with what the sources say, or remove it")
        for loc, what in found
    ]
