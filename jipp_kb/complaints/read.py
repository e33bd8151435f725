"""Read a complaint export (CSV or Excel .xlsx) into plain records: the first step of ``jipp-kb complaints``.

Exports from SP4N-LAPOR! and regional complaint desks name their columns in
many ways ("Isi Laporan", "isi_laporan", "Uraian"); each field has a list of
usual names and can be set explicitly. Only the configured fields are read:
other columns (the reporter's name, phone, e-mail) never leave this module.

A file saved by Excel on Windows is often Windows-1252, sometimes appended to a
UTF-8 file; each line is decoded as UTF-8 (with or without BOM) and, when that
fails, as Windows-1252, so a mixed file reads without mojibake in either part.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from jipp_kb.errors import JippError

FIELDS = ("id", "date", "channel", "agency", "category", "title", "text", "status")
USUAL_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "no", "nomor", "id laporan", "nomor laporan", "tracking id", "kode", "no tiket"),
    "date": ("tanggal", "tanggal laporan", "tgl", "tgl laporan", "waktu", "date", "created at", "tanggal masuk", "submitted"),
    "channel": ("kanal", "saluran", "channel", "sumber", "media"),
    "agency": ("instansi", "instansi tujuan", "instansi terlapor", "opd", "unit kerja", "unit", "agency", "disposisi", "dinas"),
    "category": ("kategori", "category", "topik", "jenis", "klasifikasi"),
    "title": ("judul", "judul laporan", "title", "perihal", "subject"),
    "text": ("isi", "isi laporan", "laporan", "uraian", "keluhan", "aduan", "isi aduan", "isi pengaduan", "deskripsi", "text", "complaint"),
    "status": ("status", "status laporan"),
}
REQUIRED = ("text",)
MAX_BYTES = 200 * 1024 * 1024
MONTHS_ID = {
    m: i
    for i, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb", "pebruari"),
            ("maret", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun"),
            ("juli", "jul"),
            ("agustus", "agu", "agt", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct"),
            ("november", "nov", "nop"),
            ("desember", "des", "dec"),
        ],
        1,
    )
    for m in names
}


class ComplaintFileError(JippError, ValueError):
    """A file that cannot be read as complaints; the message is ``path[:line]: column: what to do``."""


@dataclass(frozen=True)
class Complaint:
    row: int
    """The line (CSV) or row (Excel) number in the file, header included, for messages."""
    text: str
    id: str = ""
    day: date | None = None
    channel: str = ""
    agency: str = ""
    category: str = ""
    status: str = ""


@dataclass
class Export:
    """What was read: the complaints, and the rows skipped or partly unreadable (``path:line: column: message``)."""

    path: Path
    complaints: list[Complaint]
    columns: dict[str, str]
    """field -> the column name it was read from."""
    warnings: list[str] = field(default_factory=list)
    rows: int = 0


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[_\-.]+", " ", str(name or "")).lower().split())


def read_export(path: Path, columns: dict[str, str | None] | None = None) -> Export:
    """The complaints in ``path`` (.csv, .tsv, .txt or .xlsx); ``columns`` maps a field to the column name to use."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ComplaintFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if size == 0:
        raise ComplaintFileError(f"{path}: the file is empty; export the complaints again (CSV or .xlsx with a header row)")
    if size > MAX_BYTES:
        raise ComplaintFileError(f"{path}: the file has {size // 2**20} MB; at most {MAX_BYTES // 2**20} MB — split it by period")
    return read_data(path.read_bytes(), path, columns)


def read_data(data: bytes, path: Path, columns: dict[str, str | None] | None = None) -> Export:
    """The complaints in ``data``, the bytes of a file named ``path`` (an upload read in memory: nothing touches the disk)."""
    if not data:
        raise ComplaintFileError(f"{path}: the file is empty; export the complaints again (CSV or .xlsx with a header row)")
    if data[:4] == b"PK\x03\x04":
        header, rows = _xlsx_rows(path, data)
    elif path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise ComplaintFileError(f"{path}: not an Excel .xlsx workbook (old .xls files: save as .xlsx or CSV first)")
    else:
        header, rows = _csv_rows(path, data)
    mapping = _map_columns(path, header, columns or {})
    index = {f: header.index(col) for f, col in mapping.items()}
    export = Export(path, [], mapping)
    for line, cells in rows:
        export.rows += 1
        complaint = _complaint(path, line, cells, index, mapping, export.warnings)
        if complaint is not None:
            export.complaints.append(complaint)
    if not export.complaints:
        raise ComplaintFileError(
            f"{path}: column '{mapping['text']}': no complaint text in any of {export.rows} rows; is it the right column (--text-column)?"
        )
    return export


def _decode_lines(data: bytes) -> str:
    """UTF-8 (BOM dropped) line by line, Windows-1252 where a line is not UTF-8: mixed exports read right in both parts."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise ComplaintFileError("binary")
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
    return "".join(out)


def _csv_rows(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = _decode_lines(data)
    except ComplaintFileError:
        raise ComplaintFileError(f"{path}: not a text file; give a CSV or an Excel .xlsx export") from None
    if "\x00" in text:
        raise ComplaintFileError(f"{path}: not a text file; give a CSV or an Excel .xlsx export")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            if header is None:
                if any(c.strip() for c in cells):
                    header = [c.strip() for c in cells]
                continue
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ComplaintFileError(f"{path}:{reader.line_num}: cannot read the CSV ({exc}); check the quotes on that line") from None
    if header is None:
        raise ComplaintFileError(f"{path}: the file has no header row (it holds only blank lines)")
    return header, rows


def _xlsx_rows(path: Path, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ComplaintFileError(f"{path}: cannot open the workbook ({type(exc).__name__}); save it again as .xlsx or CSV") from None
    sheet = book.worksheets[0]
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = ["" if v is None else v for v in values]
        if header is None:
            if any(str(c).strip() for c in cells):
                header = [str(c).strip() for c in cells]
            continue
        if any(str(c).strip() for c in cells):
            rows.append((number, cells))
    book.close()
    if header is None:
        raise ComplaintFileError(f"{path}: the first sheet is empty; put the complaints with a header row on the first sheet")
    return header, rows


def _map_columns(path: Path, header: list[str], chosen: dict[str, str | None]) -> dict[str, str]:
    """field -> column: the column the user named, else the first usual name present (case, spaces and underscores ignored)."""
    by_norm = {}
    for col in header:
        by_norm.setdefault(_norm(col), col)
    found = ", ".join(f"'{c}'" for c in header if c) or "none"
    mapping: dict[str, str] = {}
    for f in FIELDS:
        wanted = chosen.get(f)
        if wanted:
            if _norm(wanted) not in by_norm:
                raise ComplaintFileError(f"{path}: column '{wanted}' (--{f}-column) is not in the header; columns found: {found}")
            mapping[f] = by_norm[_norm(wanted)]
            continue
        for name in USUAL_NAMES[f]:
            if name in by_norm:
                mapping[f] = by_norm[name]
                break
    for f in REQUIRED:
        if f not in mapping:
            raise ComplaintFileError(
                f"{path}: no complaint-text column (looked for {', '.join(repr(n) for n in USUAL_NAMES[f][:6])}, …); "
                f"columns found: {found}; name it with --{f}-column"
            )
    return mapping


def _complaint(path: Path, line: int, cells: list, index: dict[str, int], mapping: dict[str, str], warnings: list[str]) -> Complaint | None:
    def cell(f: str):
        i = index.get(f)
        return cells[i] if i is not None and i < len(cells) else ""

    text = " ".join(str(cell("text")).split())
    title = " ".join(str(cell("title")).split())
    if title and title.lower() not in text.lower():
        text = f"{title}. {text}" if text else title
    if not text:
        warnings.append(f"{path}:{line}: {mapping['text']}: empty; row skipped")
        return None
    day = None
    raw_date = cell("date")
    if "date" in mapping and str(raw_date).strip():
        day = parse_date(raw_date)
        if day is None:
            warnings.append(f"{path}:{line}: {mapping['date']}: cannot read '{str(raw_date)[:40]}' as a date; counted without a month")
    return Complaint(
        line,
        text,
        str(cell("id")).strip(),
        day,
        str(cell("channel")).strip(),
        " ".join(str(cell("agency")).split()),
        str(cell("category")).strip(),
        str(cell("status")).strip(),
    )


DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})"), ("y", "m", "d")),
)
WORD_DATE = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})")


def parse_date(value) -> date | None:
    """A date from an Excel cell or the usual text forms: 2026-03-14 (with time), 14/03/2026, 14-03-2026, 14 Maret 2026."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern, order in DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups())))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    m = WORD_DATE.match(text)
    if m and m.group(2).lower() in MONTHS_ID:
        try:
            return date(int(m.group(3)), MONTHS_ID[m.group(2).lower()], int(m.group(1)))
        except ValueError:
            return None
    return None
