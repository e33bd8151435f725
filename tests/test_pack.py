"""Learning packs (jipp-kb pack): real corpus, real WeasyPrint PDFs read back with pypdf and rendered with pdfium."""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from markupsafe import escape

from jipp_kb import keyword
from jipp_kb.cli import cli
from jipp_kb.config import load_config
from jipp_kb.corpus import load_corpus
from jipp_kb.pack import build_packs, content
from jipp_kb.pack.build import FILES, MATRIX_COLUMNS, missing_keys, strings
from jipp_kb.render.site import pack_downloads
from jipp_kb.render.urls import Urls
from jipp_kb.schema import SECTIONS, SECTIONS_EN

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "corpus"
PNG_DIR = ROOT / "test-output" / "packs"
COLLECTION = "kesehatan-ibu-dan-anak"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def _run(*args: str):
    return CliRunner().invoke(cli, ["pack", "--corpus", str(CORPUS), *args])


def _last_error(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def collection_pack(tmp_path_factory, corpus) -> tuple[Path, list[str]]:
    """The real collection's pack, built through the command line."""
    out = tmp_path_factory.mktemp("pack") / COLLECTION
    result = _run("--collection", COLLECTION, "--output", str(out), "--index-dir", str(out.parent / "idx"), "--quiet")
    assert result.exit_code == 0, result.output
    ids = [cid for cid in corpus.collections[COLLECTION].cases if cid in corpus.cases]
    assert len(ids) >= 6, "the test wants a collection of 6-8 valid cases"
    return out, ids


def test_pack_has_every_file(collection_pack):
    out, _ = collection_pack
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, ".jipp-kb-pack"])  # the marker: the next pack may replace these


def test_pdf_pages_titles_and_date(collection_pack, corpus):
    out, ids = collection_pack
    reader = pypdf.PdfReader(out / "handout.pdf")
    n = len(ids)
    # a cover, every case starting on its own page (2-6 pages each here), the matrix on 1+ landscape pages
    assert 2 * n + 2 <= len(reader.pages) <= 6 * n + 4
    text = _squash(" ".join(page.extract_text() for page in reader.pages))
    for cid in ids:
        assert _squash(corpus.cases[cid].meta.title) in text
    newest = max(corpus.cases[cid].meta.last_reviewed for cid in ids)
    assert reader.metadata["/CreationDate"] == f"D:{newest:%Y%m%d}"
    assert reader.metadata["/Title"] == corpus.collections[COLLECTION].title
    assert reader.pages[-1].mediabox.width > reader.pages[-1].mediabox.height, "the matrix annex is landscape"
    assert reader.pages[1].mediabox.height > reader.pages[1].mediabox.width


def test_pdf_pages_render(collection_pack):
    """Page 1 (cover) and page 2 (first case) as PNG for a person to look at; they must not be blank."""
    out, _ = collection_pack
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(out / "handout.pdf")
    try:
        for index, name in ((0, "cover"), (1, "case")):
            image = doc[index].render(scale=1.4).to_pil()
            image.save(PNG_DIR / f"{COLLECTION}-{name}.png")
            lo, hi = image.convert("L").getextrema()
            assert hi - lo > 100, f"page {index + 1} looks blank"
    finally:
        doc.close()


def test_handout_sections_checklist_contacts_sources(collection_pack, corpus):
    out, ids = collection_pack
    html = (out / "handout.html").read_text(encoding="utf-8")
    for title in ("Ringkasan", "Latar Belakang dan Masalah", "Inovasi", "Hasil dan Dampak", "Sumber Daya"):
        assert html.count(f"<h3>{title}</h3>") == len(ids)
    for label in ("Orang (SDM)", "Anggaran", "Regulasi", "Mitra"):
        assert html.count(f"<h4>{label}</h4>") == len(ids)
    assert html.count("<h3>Kontak kantor</h3>") == len(ids)
    assert "<script" not in html and "<link" not in html, "the handout is one self-contained file"
    for cid in ids:
        meta = corpus.cases[cid].meta
        assert f'id="kasus-{cid}"' in html
        for i, source in enumerate(meta.sources, 1):
            assert f'id="{cid}-sumber-{i}"' in html and str(escape(source.url)) in html
        for contact in meta.contacts:
            assert str(escape(contact.office)) in html
    # citations point at the source list of their own case (ids are unique in the pack)
    anchors = re.findall(r'id="([^"]+-sumber-\d+)"', html)
    assert len(anchors) == len(set(anchors))
    for target in set(re.findall(r'class="cite" href="#([^"]+)"', html)):
        assert target in anchors


def test_matrix_csv(collection_pack, corpus):
    out, ids = collection_pack
    raw = (out / "matrix.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for spreadsheets"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Inovasi", "Daerah", "Masalah", "Pendekatan", "Sumber daya", "Hasil", "Tahapan", "Status", "Direplikasi oleh"]
    assert len(rows) == len(ids) + 1 and all(len(r) == len(MATRIX_COLUMNS) for r in rows)
    for row, cid in zip(rows[1:], ids):
        case = corpus.cases[cid]
        assert row[0] == case.meta.title
        assert row[6] == case.meta.tahapan and row[7] == case.meta.status
        assert all(cell.strip() for cell in row)
        assert not re.search(r"\[\d+\]", " ".join(row)), "plain text, without citation markers"
        problem = content.plain_text(case.sections["Latar Belakang dan Masalah"])
        assert row[2] in problem and len(row[2].split()) >= 5


def test_discussion_agenda_and_markdown_copy(collection_pack, corpus):
    out, ids = collection_pack
    discussion = (out / "discussion.md").read_text(encoding="utf-8")
    agenda = (out / "agenda.md").read_text(encoding="utf-8")
    everything = (out / "pack.md").read_text(encoding="utf-8")
    blocks = re.split(r"^## \d+\. ", discussion, flags=re.MULTILINE)[1:]
    assert len(blocks) == len(ids)
    for block, cid in zip(blocks, ids):
        case = corpus.cases[cid]
        assert block.startswith(case.meta.title)
        questions = re.findall(r"^\d+\. (.+)$", block, flags=re.MULTILINE)
        assert len(questions) >= 4
        assert f"meniru {case.meta.title}?" in questions[0]
        first_resource = content.first_sentence(case, "Sumber Daya")
        assert content.quote(first_resource) in questions[0], "the first question quotes the case's own Sumber Daya"
    times = re.findall(r"^\| (\d\d\.\d\d)–(\d\d\.\d\d) \|", agenda, flags=re.MULTILINE)
    assert times[0][0] == "08.00" and "11.00" <= times[-1][1] <= "13.00", "a half day"
    assert all(a[1] == b[0] for a, b in itertools.pairwise(times)), "blocks follow each other"
    for cid in ids:
        title = corpus.cases[cid].meta.title
        assert title in agenda and f"## {ids.index(cid) + 1}. {title}" in everything
        assert corpus.cases[cid].sections["Hasil dan Dampak"].strip().splitlines()[0] in everything
    assert "Rencana tindak lanjut" in agenda and "Kerja kelompok" in agenda


def test_two_runs_give_identical_bytes(tmp_path):
    """PDF included: its date comes from the cases, not the clock, and two separate layouts must agree."""
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = _run(
            "--cases", "gebrakan-susi,wisata-posyandu-barru", "--output", str(out), "--index-dir", str(tmp_path / f"idx-{name}"), "-q"
        )
        assert result.exit_code == 0, result.output
        outs.append(out)
    for name in FILES:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_english_pack(tmp_path, corpus):
    out = tmp_path / "en"
    result = _run(
        "--cases",
        "gebrakan-susi,anc-hipnoterapi",
        "--lang",
        "en",
        "--no-pdf",
        "--output",
        str(out),
        "--date",
        "2025-01-31",
        "--json",
        "--index-dir",
        str(tmp_path),
    )
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
    header = next(csv.reader(io.StringIO((out / "matrix.csv").read_text(encoding="utf-8-sig"))))
    assert header == ["Innovation", "Region", "Problem", "Approach", "Resources", "Results", "Stage", "Status", "Replicated by"]
    assert "What would your regency or city need to copy Gebrakan SUSI" in (out / "discussion.md").read_text(encoding="utf-8")


def test_query_pack_uses_filters(tmp_path, corpus):
    index = tmp_path / "idx"
    keyword.build(index, corpus.sorted_cases(), [])
    out = tmp_path / "q"
    result = _run(
        "--query",
        "kematian ibu",
        "--province",
        "Sulsel",
        "--limit",
        "3",
        "--no-pdf",
        "--output",
        str(out),
        "--index-dir",
        str(index),
        "--json",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO((out / "matrix.csv").read_text(encoding="utf-8-sig"))))[1:]
    assert 1 <= len(rows) <= 3
    assert all(row[1].endswith("Sulawesi Selatan") for row in rows)
    assert "Inovasi Pelayanan Publik: kematian ibu" in (out / "handout.html").read_text(encoding="utf-8")
    result = _run("--query", "zzqxv wqxz", "--no-pdf", "--output", str(tmp_path / "none"), "--index-dir", str(index))
    assert result.exit_code == 1 and _last_error(result) == "Error: no case matches 'zzqxv wqxz'; try other words or fewer filters"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cases", "gebrakan-susi,anc-hipnoterap"], "Error: unknown case id 'anc-hipnoterap' (did you mean 'anc-hipnoterapi'?)"),
        (["--collection", "kesehatan-ibu"], "Error: unknown collection 'kesehatan-ibu' (did you mean 'kesehatan-ibu-dan-anak'?); valid: "),
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
    line = _last_error(result)
    assert line.startswith(message.format(tmp=tmp_path))
    assert "Traceback" not in result.output


def test_unknown_collection_lists_the_valid_ones(corpus):
    line = _last_error(_run("--collection", "nope"))
    assert line.endswith("valid: " + ", ".join(sorted(corpus.collections)))


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--collection", COLLECTION, "--cases", "gebrakan-susi"],
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


def test_checklist_lines_are_verbatim_from_the_four_sections(corpus):
    """Every checklist line of every case is a piece of its Sumber Daya, Pelaksanaan, Keberlanjutan or Replikasi text."""
    for case in corpus.sorted_cases():
        checks = content.checklist(case)
        units = [u for items in checks.needs.values() for u in items] + checks.other
        for unit in units:
            assert unit.section in content.CHECKLIST_SECTIONS
            assert unit.markdown in _squash(case.sections[unit.section]), (case.id, unit.markdown)
        assert all(u.checklist for u in checks.other)


def test_matrix_cells_are_the_opening_of_their_section(corpus):
    for case in corpus.sorted_cases():
        for section in ("Latar Belakang dan Masalah", "Inovasi", "Sumber Daya", "Hasil dan Dampak"):
            cell = content.lead(case, section)
            if case.meta.depth == "profil":  # a profile has only its Ringkasan: an empty cell, never another section's text
                assert cell == "" or content.plain_text(case.sections[section]).startswith(cell), (case.id, section)
                continue
            assert cell and content.plain_text(case.sections[section]).startswith(cell), (case.id, section)


def test_checklist_sorts_labelled_resources(corpus):
    case = corpus.cases["anc-hipnoterapi"]
    checks = content.checklist(case)
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


# -- the site's packs -------------------------------------------------------------------------


def test_build_packs_for_the_site(tmp_path, corpus):
    small = load_corpus(CORPUS)
    small.collections = {"desa-digital": corpus.collections["desa-digital"]}
    config = load_config(ROOT / "jipp-kb.toml", index_dir=tmp_path / "idx")
    site = tmp_path / "site"
    stale = site / "packs" / "old-collection"
    stale.mkdir(parents=True)
    (stale / "handout.html").write_text("old")
    built = build_packs(small, config, site, workers=1)
    assert built == {"desa-digital": {name: Urls.pack_file_path("desa-digital", name) for name in FILES}}
    assert all((site / rel).is_file() for rel in built["desa-digital"].values())
    assert not stale.exists(), "packs of removed collections are removed"
    assert pack_downloads(site, ["desa-digital"]) == {"desa-digital": [("html", "handout.html"), ("pdf", "handout.pdf")]}
    pdf = site / built["desa-digital"]["handout.pdf"]
    before = (pdf.stat().st_mtime_ns, pdf.read_bytes())
    assert build_packs(small, config, site) == built
    assert (pdf.stat().st_mtime_ns, pdf.read_bytes()) == before, "an unchanged pack is neither laid out nor rewritten"


def test_theme_dir_overrides_pack_templates_strings_and_css(tmp_path, corpus):
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
