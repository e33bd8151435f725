"""Learning packs (jipp-kb pack) on the fixture corpus: real WeasyPrint PDFs read back with pypdf and rendered with pdfium.

The PDFs are laid out once per session (conftest's ``pack_site``); the other tests use ``--no-pdf``.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_CORPUS, PACK_COLLECTION, ROOT
from markupsafe import escape

from jipp_kb import keyword
from jipp_kb.cli import cli
from jipp_kb.corpus import load_corpus
from jipp_kb.pack import agenda, build_packs, content
from jipp_kb.pack.build import FILES
from jipp_kb.pack.documents import MATRIX_COLUMNS, missing_keys, strings
from jipp_kb.render.pages import PACK_DOCUMENTS
from jipp_kb.render.site import pack_downloads
from jipp_kb.render.urls import Urls
from jipp_kb.schema import SECTIONS, SECTIONS_EN

CORPUS = FIXTURE_CORPUS
PNG_DIR = ROOT / "test-output" / "packs"
IDS = ["anc-hipnoterapi", "save-bunda-bisa-luwu-utara", "gebrakan-susi"]
"""The cases of the fixture collection, in its reading order."""
MIXED = ["kupas-panggungharjo", "sp4n-lapor", "dottorota-home-care", "uptpk-sragen"]
"""Cases with a published budget, a named regulation, a digital and a non-digital innovation."""


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def pack(pack_site) -> Path:
    site, _, _, built = pack_site
    return site / Urls.pack_file_path(PACK_COLLECTION, "")


def _run(*args: str):
    return CliRunner().invoke(cli, ["pack", "--corpus", str(CORPUS), *args])


def _last_error(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdf_text(path: Path) -> list[str]:
    return [_squash(page.extract_text()) for page in pypdf.PdfReader(path).pages]


def _uncited(cell: str) -> str:
    """A matrix cell without its source numbers and closing ellipsis: the verbatim piece of the case."""
    return re.sub(r" \[\d+(?:, \d+)*\]$", "", cell).removesuffix(" …")


# -- the collection's pack, as the site builds it --------------------------------------------


def test_site_pack_has_every_file_and_the_collection_page_links_them(pack_site, pack):
    site, _, _, built = pack_site
    assert built == {PACK_COLLECTION: {name: Urls.pack_file_path(PACK_COLLECTION, name) for name in FILES}}
    assert sorted(p.name for p in pack.iterdir()) == sorted(FILES)
    assert pack_downloads(site, [PACK_COLLECTION]) == {PACK_COLLECTION: [(doc, list(names)) for doc, names in PACK_DOCUMENTS]}


def test_every_pdf_opens_with_its_title_date_and_page_size(pack, corpus):
    newest = max(corpus.cases[cid].meta.last_reviewed for cid in IDS)
    title = corpus.collections[PACK_COLLECTION].title
    for name in (n for n in FILES if n.endswith(".pdf")):
        reader = pypdf.PdfReader(pack / name)
        assert reader.metadata["/CreationDate"] == f"D:{newest:%Y%m%d}", name
        assert reader.metadata["/Title"].endswith(title), name
        first = reader.pages[0].mediabox
        assert (first.width > first.height) == (name == "matrix.pdf"), f"{name}: only the matrix is landscape"
    handout = pypdf.PdfReader(pack / "handout.pdf")
    assert handout.pages[-1].mediabox.width > handout.pages[-1].mediabox.height, "the handout's matrix annex is landscape"
    text = " ".join(_pdf_text(pack / "handout.pdf"))
    assert all(_squash(corpus.cases[cid].meta.title) in text for cid in IDS)
    assert len(pypdf.PdfReader(pack / "evaluation.pdf").pages) == 1
    assert len(pypdf.PdfReader(pack / "rtl.pdf").pages) <= 2


def test_short_handout_has_at_most_two_pages_a_case(pack, corpus):
    pages = _pdf_text(pack / "handout-short.pdf")
    starts = [next(i for i, text in enumerate(pages) if f"KASUS {n} DARI {len(IDS)}" in text.upper()) for n in range(1, len(IDS) + 1)]
    spans = [b - a for a, b in itertools.pairwise([*starts, len(pages)])]
    assert starts[0] == 1 and all(1 <= span <= 2 for span in spans), spans
    full = len(pypdf.PdfReader(pack / "handout.pdf").pages)
    assert len(pages) < full


def test_short_handout_lists_the_sources_its_facts_cite_by_their_numbers(pack, corpus):
    html = (pack / "handout-short.html").read_text(encoding="utf-8")
    for cid, article in zip(IDS, html.split('<article class="case"')[1:]):
        facts = re.search(r'<section class="key-facts">(.*?)</section>', article, flags=re.DOTALL).group(1)
        cited = sorted({int(n) for group in re.findall(r"\[([\d, ]+)\]", facts) for n in group.split(", ")})
        assert cited, cid
        assert [int(n) for n in re.findall(r'<span class="source-n">(\d+)\.</span>', article)] == cited, cid
        for n in cited:
            assert str(escape(corpus.cases[cid].meta.sources[n - 1].url)) in article


def test_cover_matrix_and_rtl_render_for_a_person_to_look_at(pack):
    """PNGs in test-output/packs/ (git-ignored); a page that renders blank fails."""
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    for name, index, png in (
        ("handout.pdf", 0, "cover"),
        ("handout.pdf", 1, "case"),
        ("handout-short.pdf", 1, "short-case"),
        ("matrix.pdf", 0, "matrix"),
        ("rtl.pdf", 0, "rtl"),
        ("agenda.pdf", 0, "agenda"),
        ("evaluation.pdf", 0, "evaluation"),
    ):
        doc = pdfium.PdfDocument(pack / name)
        try:
            image = doc[index].render(scale=1.4).to_pil()
        finally:
            doc.close()
        image.save(PNG_DIR / f"{PACK_COLLECTION}-{png}.png")
        lo, hi = image.convert("L").getextrema()
        assert hi - lo > 100, f"{name} page {index + 1} looks blank"


def test_handout_sections_checklist_contacts_sources(pack, corpus):
    html = (pack / "handout.html").read_text(encoding="utf-8")
    for title in ("Ringkasan", "Latar Belakang dan Masalah", "Inovasi", "Hasil dan Dampak", "Sumber Daya"):
        assert html.count(f"<h3>{title}</h3>") == len(IDS)
    for label in ("Orang (SDM)", "Anggaran", "Regulasi", "Mitra"):
        assert html.count(f"<h4>{label}</h4>") == len(IDS)
    assert html.count("<h3>Kontak kantor</h3>") == len(IDS)
    for name in (n for n in FILES if n.endswith(".html")):
        page = (pack / name).read_text(encoding="utf-8")
        assert "<script" not in page and "<link" not in page, f"{name} is one self-contained file"
    for cid in IDS:
        meta = corpus.cases[cid].meta
        assert f'id="kasus-{cid}"' in html
        for i, source in enumerate(meta.sources, 1):
            assert f'id="{cid}-sumber-{i}"' in html and str(escape(source.url)) in html
        for contact in meta.contacts:
            assert str(escape(contact.office)) in html
    anchors = re.findall(r'id="([^"]+-sumber-\d+)"', html)
    assert len(anchors) == len(set(anchors))
    for target in set(re.findall(r'class="cite" href="#([^"]+)"', html)):
        assert target in anchors, "citations point at the source list of their own case"


# -- the matrix: comparable columns, from data or a cited sentence ------------------------------


def _matrix_rows(folder: Path) -> list[list[str]]:
    raw = (folder / "matrix.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for spreadsheets"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _check_matrix(rows: list[list[str]], ids: list[str], corpus) -> None:
    """Profile cells equal the front matter; every other cell is 'not published/stated' or a short verbatim piece with real sources."""
    header, body = rows[0], rows[1:]
    col = {name: header.index(strings("id")(f"pack.matrix.{name}")) for name in MATRIX_COLUMNS}
    assert len(body) == len(ids) and all(len(r) == len(MATRIX_COLUMNS) for r in rows)
    for row, cid in zip(body, ids):
        m = corpus.cases[cid].meta
        assert row[col["case"]] == m.title
        t = strings("id")
        assert row[col["level"]] == t.value("level", m.level) and row[col["jenis"]] == t.value("jenis", m.jenis)
        assert row[col["year"]] == (str(m.year_started) if m.year_started else "tidak diketahui")
        assert row[col["status"]].startswith(m.status)
        assert row[col["urusan"]] == ", ".join(m.urusan)
        assert row[col["award"]] == ("; ".join(f"{a.name} {a.tier} {a.year}" for a in m.awards) or "-")
        text = _squash(" ".join(content.plain_text(corpus.cases[cid].sections[s]) for s in SECTIONS))
        for name in ("budget", "people", "legal_basis", "partners", "key_result"):
            cell = row[col[name]]
            if cell in ("tidak dipublikasikan", "tidak disebut"):
                continue
            assert _uncited(cell) in text, (cid, name, cell)
            assert len(_uncited(cell).split()) <= content.CELL_WORDS, (cid, name, cell)
            cited = re.search(r" \[([\d, ]+)\]$", cell)
            assert not cited or all(1 <= int(n) <= len(m.sources) for n in cited.group(1).split(", ")), (cid, name, cell)


def test_matrix_compares_the_collection(pack, corpus):
    rows = _matrix_rows(pack)
    assert rows[0] == [
        "Inovasi", "Daerah", "Tingkat", "Urusan", "Mulai", "Status", "Digital", "Penghargaan", "Direplikasi oleh",
        "Anggaran", "Orang (SDM)", "Dasar hukum", "Mitra", "Hasil utama",
    ]  # fmt: skip
    _check_matrix(rows, IDS, corpus)
    anc = dict(zip(rows[0], rows[1]))
    assert anc["Direplikasi oleh"] == "Save Bunda BISA; Hypnogreen", "replicas named by the case, by their titles"
    assert anc["Dasar hukum"] == "ditetapkan sebagai inovasi daerah sejak 1 Januari 2017 [2]"
    assert anc["Hasil utama"] == "Kematian ibu: 11 kasus (2016) menjadi 5 kasus (2017) dan 5 kasus (2018) [3]"
    assert anc["Anggaran"] == "tidak dipublikasikan", "the case says: sumber publik tidak menyebut besaran anggaran"
    susi = dict(zip(rows[0], rows[3]))
    assert susi["Anggaran"] == "tidak dipublikasikan", "'anggarannya terjangkau' under the label Tenaga is not a budget"
    assert susi["Dasar hukum"] == "tidak disebut", "its Regulasi item says: tidak disebut dalam sumber publik"
    html = (pack / "matrix.html").read_text(encoding="utf-8")
    assert html.count("<table") == 2 and html.count("<tr>") == 2 * (len(IDS) + 1)


def test_matrix_cells_of_named_budgets_and_regulations(tmp_path, corpus):
    out = tmp_path / "campur"
    assert _run("--cases", ",".join(MIXED), "--no-pdf", "-o", str(out), "--index-dir", str(tmp_path), "-q").exit_code == 0
    rows = _matrix_rows(out)
    _check_matrix(rows, MIXED, corpus)
    by_id = {cid: dict(zip(rows[0], row)) for cid, row in zip(MIXED, rows[1:])}
    assert by_id["kupas-panggungharjo"]["Anggaran"] == "mesin pemilah Rp1,8 miliar dari APBDes (2022) [3]"
    assert by_id["kupas-panggungharjo"]["Dasar hukum"].startswith("Peraturan Desa Nomor 7 Tahun 2013 [")
    assert by_id["dottorota-home-care"]["Anggaran"] == "dibiayai APBD Kota Makassar [3]"
    assert "USD 5 juta" in by_id["sp4n-lapor"]["Anggaran"]
    assert "Rp1,2 miliar" in by_id["uptpk-sragen"]["Anggaran"]


def test_csv_cells_never_run_as_formulas():
    from jipp_kb.pack.documents import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and csv_cell("-") == "-" and csv_cell("+62") == "'+62"


# -- questions that fit -------------------------------------------------------------------------

LAW_WORDS = re.compile(r"Undang-Undang|\bUU\b|\bPerpres\b|\bPeraturan\b|\bPerda\b|\bPerbup\b|\bPerwali\b")
MONEY_WORDS = re.compile(r"Rp ?\d|USD|APBD|APBDes|dana desa|iuran|CSR|donor|dibiayai|anggaran", re.IGNORECASE)
RULE_WORDS = re.compile(r"Peraturan|Perda|Perdes|Perbup|Perwal|Perwali|Pergub|\bSK\b|Keputusan|\bUU\b|Perpres|regulasi|Surat Edaran", re.I)


def test_every_question_quotes_the_right_kind_of_section(corpus):
    """The question-fit test: each quote is verbatim from a section its kind may quote, and holds what the question asks."""
    t = strings("id")
    kinds = set()
    for case in corpus.sorted_cases():
        for q in content.questions(case, t, []):
            kinds.add(q.kind)
            assert q.section in content.QUESTION_SECTIONS[q.kind], (case.id, q.kind, q.section)
            assert q.sentence in _squash(content.plain_text(case.sections[q.section])), (case.id, q.kind)
            assert q.sentence.startswith(q.quote.removesuffix(" …")) and f"“{q.quote}”" in q.text
            assert content.fits(q.kind, q.sentence), (case.id, q.kind, q.sentence)
            # the same, by words a facilitator would look for, independent of the pack's own patterns
            if q.kind == "problem":
                assert not LAW_WORDS.search(q.sentence), (case.id, "a law is not the problem", q.sentence)
            if q.kind in ("cost", "cost_unknown"):
                assert MONEY_WORDS.search(q.sentence), (case.id, q.sentence)
            if q.kind == "regulation":
                assert RULE_WORDS.search(q.sentence), (case.id, q.sentence)
            if q.kind == "result":
                assert re.search(r"\d", q.sentence)
    assert {"problem", "result", "people", "cost", "cost_unknown", "regulation", "partner", "failure", "sustain"} <= kinds


def test_questions_from_the_issue_now_fit(corpus):
    t = strings("id")
    sp4n = {q.kind: q for q in content.questions(corpus.cases["sp4n-lapor"], t, [])}
    assert "Undang-Undang" not in sp4n["problem"].quote, "the national law stays out of the problem question"
    assert "UU 25/2009" in sp4n["regulation"].quote and "USD 5 juta" in sp4n["cost"].quote
    susi = {q.kind: q for q in content.questions(corpus.cases["gebrakan-susi"], t, [])}
    assert "regulation" not in susi, "its only Regulasi item says the regulation is not published"
    assert susi["cost_unknown"].quote == "Anggaran: besaran anggaran tidak disebut dalam sumber publik."


def test_questions_document_and_cross_case_questions(tmp_path, corpus):
    out = tmp_path / "campur"
    assert _run("--cases", ",".join(MIXED), "--no-pdf", "-o", str(out), "--index-dir", str(tmp_path), "-q").exit_code == 0
    html = _squash((out / "questions.html").read_text(encoding="utf-8"))
    assert html.count('class="questions case-questions"') == len(MIXED)
    assert "Pertanyaan lintas kasus" in html
    assert "Mana dari kasus ini yang bisa berjalan tanpa pos anggaran baru di daerah Anda?" in html
    kupas = corpus.cases["kupas-panggungharjo"].meta.title
    assert str(escape(f"{kupas}: mesin pemilah Rp1,8 miliar dari APBDes (2022) [3]")) in html
    digital = [corpus.cases[c].meta.title for c in MIXED if corpus.cases[c].meta.jenis == "digital"]
    assert str(escape(f"Inovasi digital ({', '.join(digital)})")) in html
    for cid in MIXED:
        for q in content.questions(corpus.cases[cid], strings("id"), []):
            assert str(escape(q.text)) in html


# -- agenda and forms -----------------------------------------------------------------------------


def _agenda_tables(markdown: str) -> dict[str, list[tuple[str, str, str]]]:
    tables = {}
    for title, body in re.findall(r"^### (Agenda [^\n]+)\n\n((?:\|[^\n]*\n)+)", markdown, flags=re.MULTILINE):
        tables[title] = re.findall(r"^\| (\d\d\.\d\d)–(\d\d\.\d\d) \| ([^|]+) \|", body, flags=re.MULTILINE)
    return tables


def test_half_and_full_day_agenda_with_clinic_and_rtl(pack, corpus):
    tables = _agenda_tables((pack / "pack.md").read_text(encoding="utf-8"))
    assert set(tables) == {"Agenda setengah hari", "Agenda sehari penuh"}
    for rows in tables.values():
        assert rows[0][0] == "08.00" and all(a[1] == b[0] for a, b in itertools.pairwise(rows)), "blocks follow each other"
        sessions = [s.strip() for _, _, s in rows]
        for n, cid in enumerate(IDS, 1):
            assert f"Kasus {n}: {corpus.cases[cid].meta.title}" in sessions
        assert sessions[-3:] == ["Klinik masalah: masalah daerah Anda", "Rencana Tindak Lanjut (RTL)", "Evaluasi dan penutup"]
    assert "11.00" <= tables["Agenda setengah hari"][-1][1] <= "12.30", "a half day"
    assert "15.00" <= tables["Agenda sehari penuh"][-1][1] <= "17.00" and "Ishoma" in str(tables["Agenda sehari penuh"])
    html = (pack / "agenda.html").read_text(encoding="utf-8")
    assert html.count('<table class="agenda-table">') == 2 and "rtl.pdf" in html and "evaluation.pdf" in html


def test_eight_cases_still_fit_a_half_day():
    t = strings("id")
    blocks = agenda.plan([(f"Kasus {i}", "Daerah") for i in range(8)], t, "half")
    assert blocks[-1].start + blocks[-1].minutes <= 12 * 60 + 30
    assert all(b.minutes >= 10 for b in blocks)


def test_rtl_template_and_evaluation_form(pack, corpus):
    rtl = (pack / "rtl.html").read_text(encoding="utf-8")
    for label in ("Siapa yang memimpin", "Regulasi yang diperlukan", "Pos anggaran", "Tiga langkah pertama", "Kapan dan kepada siapa"):
        assert label in rtl
    assert rtl.count('<td class="blank tall"></td><td class="blank"></td><td class="blank"></td>') == 3, "three steps: what, who, when"
    evaluation = (pack / "evaluation.html").read_text(encoding="utf-8")
    assert evaluation.count('<td class="col-score">5</td>') == len(strings("id").node("pack.evaluation.statements"))
    for cid in IDS:
        title = str(escape(corpus.cases[cid].meta.title))
        assert title in rtl and title in evaluation


# -- the ZIP and same input, same bytes ---------------------------------------------------------


def test_zip_holds_the_pack_in_a_fixed_order_and_time(pack, corpus):
    with zipfile.ZipFile(pack / "pack.zip") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [f"{PACK_COLLECTION}/{name}" for name in FILES if name != "pack.zip"]
        newest = max(corpus.cases[cid].meta.last_reviewed for cid in IDS)
        assert {i.date_time for i in infos} == {(newest.year, newest.month, newest.day, 0, 0, 0)}
        for info in infos:
            assert archive.read(info) == (pack / info.filename.split("/", 1)[1]).read_bytes()


def test_a_second_layout_gives_identical_bytes(pack, tmp_path):
    """The command line, in this process, against build_packs' forked workers: every file the same, PDFs and ZIP included."""
    out = tmp_path / PACK_COLLECTION
    result = _run("--collection", PACK_COLLECTION, "--output", str(out), "--index-dir", str(tmp_path / "idx"), "-q")
    assert result.exit_code == 0, result.output
    for name in FILES:
        assert (out / name).read_bytes() == (pack / name).read_bytes(), name


def test_an_unchanged_site_pack_is_not_laid_out_again_and_stale_packs_go(pack_site, pack):
    site, corpus, config, built = pack_site
    stale = site / "packs" / "old-collection"
    stale.mkdir(parents=True, exist_ok=True)
    (stale / "handout.html").write_text("old")
    (stale / "discussion.md").write_text("old")
    (pack / "discussion.md").write_text("an earlier version's file")
    before = {name: ((pack / name).stat().st_mtime_ns, (pack / name).read_bytes()) for name in FILES}
    assert build_packs(corpus, config, site) == built
    assert not (pack / "discussion.md").exists(), "files earlier versions wrote are removed from the site's packs"
    assert {name: ((pack / name).stat().st_mtime_ns, (pack / name).read_bytes()) for name in FILES} == before
    assert not stale.exists(), "packs of removed collections are removed"


# -- other choices of cases, languages, errors ---------------------------------------------------


def test_english_pack(tmp_path, corpus):
    out = tmp_path / "en"
    args = ["--cases", "gebrakan-susi,anc-hipnoterapi", "--lang", "en", "--no-pdf", "--output", str(out), "--date", "2025-01-31"]
    result = _run(*args, "--json", "--index-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    html = (out / "handout.html").read_text(encoding="utf-8")
    susi = corpus.cases["gebrakan-susi"].meta
    assert str(escape(_squash(susi.summary_en))) in _squash(html)
    assert str(escape(_squash(susi.summary))) not in _squash(html)
    for title in ("Summary", "Background and problem", "The innovation", "Results and impact", "Resources"):
        assert f"<h3>{title}</h3>" in html
    assert "<h3>Latar Belakang dan Masalah</h3>" not in html
    assert "<h3>Replication checklist</h3>" in html and "<h4>Partners</h4>" in html
    assert '<html lang="en">' in html and '<section class="prose" lang="id">' in html
    assert "31 January 2025" in html and 'content="2025-01-31"' in html
    header = _matrix_rows(out)[0]
    assert header[:3] == ["Innovation", "Region", "Level"] and header[-1] == "Key result"
    assert "not published" in (out / "matrix.csv").read_text(encoding="utf-8-sig")
    assert "Half-day agenda" in (out / "agenda.html").read_text(encoding="utf-8")
    assert "Follow-up plan" in (out / "rtl.html").read_text(encoding="utf-8")
    assert "Results of Gebrakan SUSI" in (out / "questions.html").read_text(encoding="utf-8")


def test_query_pack_uses_filters(tmp_path, corpus):
    index = tmp_path / "idx"
    keyword.build(index, corpus.sorted_cases(), [])
    out = tmp_path / "q"
    args = ["--query", "kematian ibu", "--province", "Sulsel", "--limit", "3", "--no-pdf", "--output", str(out)]
    result = _run(*args, "--index-dir", str(index), "--json")
    assert result.exit_code == 0, result.output
    rows = _matrix_rows(out)[1:]
    assert 1 <= len(rows) <= 3
    assert all(row[1].endswith("Sulawesi Selatan") for row in rows)
    assert "Inovasi Pelayanan Publik: kematian ibu" in (out / "handout.html").read_text(encoding="utf-8")
    result = _run("--query", "zzqxv wqxz", "--no-pdf", "--output", str(tmp_path / "none"), "--index-dir", str(index))
    assert result.exit_code == 1 and _last_error(result) == "Error: no case matches 'zzqxv wqxz'; try other words or fewer filters"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cases", "gebrakan-susi,anc-hipnoterap"], "Error: unknown case id 'anc-hipnoterap' (did you mean 'anc-hipnoterapi'?)"),
        (
            ["--collection", "kesehatan-ib"],
            "Error: unknown collection 'kesehatan-ib' (did you mean 'kesehatan-ibu'?); valid: kesehatan-ibu",
        ),
        (
            ["--query", "stunting", "--index-dir", "{tmp}/no-index"],
            "Error: no search index in {tmp}/no-index; build it with: jipp-kb index --keyword-only",
        ),
        (["--cases", "gebrakan-susi", "--output", "{tmp}/file.txt/pack"], "Error: cannot write to {tmp}/file.txt/pack: Not a directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(tmp_path, args, message):
    (tmp_path / "file.txt").write_text("x")
    result = _run(*[a.format(tmp=tmp_path) for a in args], "--no-pdf")
    assert result.exit_code == 1
    assert _last_error(result).startswith(message.format(tmp=tmp_path))
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--collection", PACK_COLLECTION, "--cases", "gebrakan-susi"],
        ["--cases", "gebrakan-susi", "--province", "Aceh"],
        ["--date", "31-01-2025", "--cases", "x"],
    ],
)
def test_usage_errors_exit_2(args):
    assert _run(*args).exit_code == 2


# -- content: nothing invented ---------------------------------------------------------------


def test_sentences_keep_abbreviations_and_citations():
    text = "Bupati menerbitkan Perbup No. 12 Tahun 2019 [2]. Dr. Ani memimpin tim. Hasilnya naik 3,5 persen.[4] Lalu program diperluas."
    assert content.sentences(text) == [
        "Bupati menerbitkan Perbup No. 12 Tahun 2019 [2].",
        "Dr. Ani memimpin tim.",
        "Hasilnya naik 3,5 persen.[4]",
        "Lalu program diperluas.",
    ]


def test_regulation_names_figures_and_amounts():
    assert content.REGULATION_NAME.search("diatur Peraturan Bupati Lumajang Nomor 12 Tahun 2019 tentang").group(0) == (
        "Peraturan Bupati Lumajang Nomor 12 Tahun 2019"
    )
    assert content.REGULATION_NAME.search("diperkuat oleh Perda 2/2014 yang").group(0) == "Perda 2/2014"
    assert content.REGULATION_NAME.search("ditetapkan dengan SK bupati") is None, "a regulation without its number is not a name"
    assert content.figures("masuk Top 99 pada 15 Oktober 2018") == []
    assert content.figures("turun dari 17,95% (2011) menjadi 16,72%") == ["17,95", "16,72"]
    assert content.AMOUNT.search("mesin Rp1,8 miliar dari APBDes").group(0) == "Rp1,8 miliar"


def test_checklist_lines_are_verbatim_from_the_four_sections(corpus):
    """Every checklist line of every case is a piece of its Sumber Daya, Pelaksanaan, Keberlanjutan or Replikasi text."""
    for case in corpus.sorted_cases():
        checks = content.checklist(case)
        units = [u for items in checks.needs.values() for u in items] + checks.other
        for unit in units:
            assert unit.section in content.CHECKLIST_SECTIONS
            assert unit.markdown in _squash(case.sections[unit.section]), (case.id, unit.markdown)
        assert all(u.checklist for u in checks.other)


def test_facts_are_verbatim_from_their_section(corpus):
    for case in corpus.sorted_cases():
        facts = content.facts(case)
        for name in ("budget", "people", "legal_basis", "partners", "key_result"):
            fact = getattr(facts, name)
            if fact is None:
                continue
            section = _squash(content.plain_text(case.sections[fact.section]))
            assert fact.unit in section and fact.text.removesuffix(" …") in fact.unit, (case.id, name)
        if case.meta.depth == "profil":  # a profile has only its Ringkasan: nothing to quote, never another section's text
            assert facts == content.Facts(None, None, None, None, None)


def test_checklist_sorts_labelled_resources(corpus):
    checks = content.checklist(corpus.cases["anc-hipnoterapi"])
    first = {need: items[0] for need, items in checks.needs.items() if items}
    assert first["people"].markdown.startswith("**Orang:**")
    assert first["budget"].markdown.startswith("**Anggaran:**")
    assert first["regulation"].markdown.startswith("**Regulasi:**")
    assert first["partners"].markdown.startswith("**Mitra:**")
    assert any("Data audit maternal per desa" in u.markdown for u in checks.other)


def test_strings_match_in_both_languages():
    assert missing_keys() == {}
    assert strings("en")("pack.checklist.people") == "People"
    assert [SECTIONS_EN[s] for s in SECTIONS[:2]] == ["Summary", "Background and problem"]


def test_theme_dir_overrides_pack_templates_strings_and_css(tmp_path):
    override = tmp_path / "tema" / "pack"
    (override / "i18n").mkdir(parents=True)
    (override / "i18n" / "id.yml").write_text("default_audience: Tim inovasi Kantor Kami\n", encoding="utf-8")
    (override / "pack.css").write_text("body { color: teal }\n", encoding="utf-8")
    (override / "matrix.html").write_text("<p>{{ t('pack.matrix.title') }} / {{ spec.audience }}</p>", encoding="utf-8")
    (tmp_path / "jipp-kb.toml").write_text('theme_dir = "tema"\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["pack", "--corpus", str(CORPUS), "--cases", "gebrakan-susi", "-o", str(out), "--no-pdf", "-q"]
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "jipp-kb.toml"), *args])
    assert result.exit_code == 0, result.output
    assert (out / "matrix.html").read_text(encoding="utf-8") == f"<p>{strings('id')('pack.matrix.title')} / Tim inovasi Kantor Kami</p>"
    handout = (out / "handout.html").read_text(encoding="utf-8")
    assert "body { color: teal }" in handout and "Tim inovasi Kantor Kami" in handout
    assert strings("id")("pack.default_audience") != "Tim inovasi Kantor Kami", "the packaged strings are untouched"
