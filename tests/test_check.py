"""`jipp-kb check`: one fixture per rule, each must give its precise problem line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from jipp_kb.cli import cli
from jipp_kb.corpus import load_corpus

DATA = Path(__file__).parent / "data"
INVALID = DATA / "invalid"

# fixture file -> (line, field, words the message must contain)
EXPECTED = {
    "missing-required-field": (40, "agency", "required field is missing"),
    "unknown-field": (30, "country", "unknown field"),
    "unknown-province": (11, "province", "did you mean 'Jawa Timur'"),
    "unknown-regency": (12, "regency", "did you mean 'Kabupaten Banyuwangi'"),
    "regency-not-in-province": (12, "level", "Kabupaten Banyuwangi is in Jawa Timur, not Jawa Tengah"),
    "unknown-urusan": (16, "urusan.0", "unknown urusan 'administrasi kependudukan'"),
    "invalid-level": (14, "level", "'nasional', 'provinsi', 'kabupaten', 'kota' or 'desa'"),
    "summary-too-long": (5, "summary", "at most 200 allowed"),
    "sdg-out-of-range": (23, "sdgs.0", "less than or equal to 17"),
    "unknown-award-tier": (26, "awards.0", "unknown tier of KIPP 'Top 26'"),
    "personal-mobile-phone": (34, "contacts.0.phone", "personal mobile number"),
    "no-sources": (35, "sources", "at least 1 item"),
    "invalid-source-url": (36, "sources.0.url", "full http(s) URL"),
    "id-not-file-name": (2, "id", "must equal the file name 'id-not-file-name'"),
    "missing-section": (73, "section 'Sumber Daya'", "is missing"),
    "empty-section": (67, "section 'Keberlanjutan'", "is empty"),
    "unknown-section": (75, "body", "did you mean '## Pelajaran'"),
    "sections-out-of-order": (51, "section 'Pelaksanaan'", "out of order"),
    "citation-without-source": (44, "body", "citation [3] but the case has 1 source"),
    "duplicate-key": (18, "jenis", "duplicate key"),
    "malformed-yaml": (4, "front matter", "invalid YAML"),
    "unclosed-front-matter": (1, "front matter", "not closed"),
    "missing-front-matter": (1, "front matter", "must start with a '---'"),
    "front-matter-not-mapping": (2, "front matter", "must be a mapping"),
    "level-needs-regency": (12, "level", "needs a regency"),
    "replicated-by-unknown-case": (31, "replicated_by", "no case with id 'kasus-yang-tidak-ada'"),
    "unknown-replica-region": (31, "replicated_by", "neither a case id nor a region"),
    "empty-file": (1, "file", "empty"),
    "binary-file": (3, "file", "binary data"),
    "not-utf-8": (49, "file", "not valid UTF-8"),
}


def test_every_fixture_has_an_expectation():
    assert {p.stem for p in INVALID.glob("*.md")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_its_problem(name: str):
    line, field, words = EXPECTED[name]
    corpus = load_corpus(INVALID, [INVALID / f"{name}.md"])
    hits = [p for p in corpus.problems if p.line == line and p.field == field and words in p.message]
    assert hits, f"expected {line}: {field}: …{words}… got:\n" + "\n".join(map(str, corpus.problems))


def test_valid_fixture_is_clean():
    corpus = load_corpus(DATA / "valid")
    assert corpus.problems == []
    assert list(corpus.cases) == ["contoh-akta"]


def test_cli_reports_all_broken_files_and_exits_1():
    result = CliRunner().invoke(cli, ["check", "--corpus", str(INVALID), str(INVALID)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stdout.strip().splitlines()
    assert {Path(line.split(":")[0]).stem for line in lines} == set(EXPECTED)
    for line in lines:
        path, lineno, field, message = line.split(":", 3)
        assert int(lineno) >= 1 and field.strip() and message.strip()


def test_cli_json_and_github_formats():
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--corpus", str(INVALID), "--format", "json", str(INVALID / "unknown-province.md")])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data[0]["field"] == "province" and data[0]["line"] == 11
    result = runner.invoke(cli, ["check", "--corpus", str(INVALID), "--format", "github", str(INVALID / "unknown-province.md")])
    assert result.stdout.startswith("::error file=") and ",line=11," in result.stdout


def test_cli_clean_exit_0_and_usage_error_exit_2():
    runner = CliRunner()
    assert runner.invoke(cli, ["check", "--corpus", str(DATA / "valid")]).exit_code == 0
    assert runner.invoke(cli, ["check", "--format", "xml"]).exit_code == 2
    assert runner.invoke(cli, ["check", "no/such/path.md"]).exit_code == 2


def test_bom_and_windows_line_endings_read_correctly(tmp_corpus: Path, valid_text: str):
    path = tmp_corpus / "contoh-akta.md"
    path.write_bytes(b"\xef\xbb\xbf" + valid_text.replace("\n", "\r\n").encode("utf-8"))
    corpus = load_corpus(tmp_corpus)
    assert corpus.problems == [] and "contoh-akta" in corpus.cases
    assert corpus.cases["contoh-akta"].line("province") == 11


def test_symlink_outside_corpus_is_refused(tmp_corpus: Path, tmp_path: Path, valid_text: str):
    outside = tmp_path / "outside.md"
    outside.write_text(valid_text.replace("contoh-akta", "link"), encoding="utf-8")
    os.symlink(outside, tmp_corpus / "link.md")
    corpus = load_corpus(tmp_corpus)
    assert [p.message for p in corpus.problems if p.path.endswith("link.md")] == [
        "symbolic link points outside the corpus; copy the file in instead"
    ]
    assert "contoh-akta" in corpus.cases


def test_huge_file_is_refused_and_others_still_checked(tmp_corpus: Path):
    (tmp_corpus / "huge.md").write_text("---\n" + "x" * 2_000_000, encoding="utf-8")
    corpus = load_corpus(tmp_corpus)
    assert any("must be under" in p.message for p in corpus.problems)
    assert "contoh-akta" in corpus.cases


def test_replication_links_must_agree_both_ways(tmp_corpus: Path, valid_text: str):
    (tmp_corpus / "contoh-akta.md").write_text(valid_text.replace("replicated_by: []", "replicated_by: [tiruan]"), encoding="utf-8")
    copy = (
        valid_text.replace("contoh-akta", "tiruan")
        .replace("Contoh Akta (", "Tiruan Akta (")
        .replace("Contoh Layanan Akta Kelahiran", "Tiruan")
    )
    copy = copy.replace("regency: Kabupaten Banyuwangi", "regency: Kabupaten Lumajang")
    (tmp_corpus / "tiruan.md").write_text(copy, encoding="utf-8")
    problems = load_corpus(tmp_corpus).problems
    assert any(p.field == "replicated_by" and "'tiruan' does not list 'contoh-akta' in its replicated_from" in p.message for p in problems)
    (tmp_corpus / "tiruan.md").write_text(copy.replace("replicated_from: []", "replicated_from: [contoh-akta]"), encoding="utf-8")
    assert load_corpus(tmp_corpus).problems == []


def test_duplicate_ids_and_likely_duplicate_titles(tmp_corpus: Path, valid_text: str):
    sub = tmp_corpus / "lain"
    sub.mkdir()
    (sub / "contoh-akta.md").write_text(valid_text, encoding="utf-8")
    (tmp_corpus / "contoh-akta-2.md").write_text(valid_text.replace("id: contoh-akta", "id: contoh-akta-2"), encoding="utf-8")
    messages = [p.message for p in load_corpus(tmp_corpus).problems]
    assert any(m.startswith("duplicate id 'contoh-akta'") for m in messages)
    assert any(m.startswith("likely duplicate of") for m in messages)


def test_region_spellings_resolve():
    from jipp_kb import vocab

    assert vocab.regencies().resolve("Kab. Luwu Utara") == "Kabupaten Luwu Utara"
    assert vocab.regencies().resolve("luwu utara") == "Kabupaten Luwu Utara"
    assert vocab.provinces().resolve("Sulsel") == "Sulawesi Selatan"
    with pytest.raises(ValueError, match="ambiguous: write 'Kabupaten Pasuruan' or 'Kota Pasuruan'"):
        vocab.regencies().resolve("Pasuruan")
    with pytest.raises(ValueError, match="did you mean 'Kabupaten Luwu Utara'"):
        vocab.regencies().resolve("Kabupaten Luwu Utra")


def test_vocabularies_are_complete():
    from jipp_kb import vocab

    kinds = [r.kind for r in vocab.regions().values()]
    assert kinds.count("provinsi") == 38
    assert kinds.count("kabupaten") + kinds.count("kota") == 514
    assert len(vocab.sdgs()) == 17
    assert "administrasi kependudukan dan pencatatan sipil" in vocab.urusan()


def _write(root: Path, text: str, name: str = "contoh-akta") -> Path:
    path = root / f"{name}.md"
    path.write_text(text.replace("id: contoh-akta", f"id: {name}"), encoding="utf-8")
    return path


UNCITED = "Cakupan akta naik dari 40% menjadi 95% pada 2019. Biayanya Rp1,2 miliar [1]."


def test_uncited_figure_is_a_warning_and_strict_makes_it_an_error(tmp_corpus: Path, valid_text: str):
    path = _write(tmp_corpus, valid_text.replace("Cakupan akta naik.", UNCITED))
    corpus = load_corpus(tmp_corpus, [path])
    assert corpus.problems == [] and "contoh-akta" in corpus.cases  # a warning leaves the case in the index and site
    [warning] = corpus.warnings
    assert (warning.line, warning.field, warning.severity) == (61, "section 'Hasil dan Dampak'", "warning")
    assert "'40%'" in warning.message and str(warning).startswith(f"{warning.path}:61: section 'Hasil dan Dampak': warning: ")
    runner = CliRunner()
    plain = runner.invoke(cli, ["check", "--corpus", str(tmp_corpus), str(path)])
    assert plain.exit_code == 0 and "warning: figure '40%'" in plain.stdout
    assert "1 berkas diperiksa, 0 kesalahan, 1 peringatan / 1 file checked, 0 errors, 1 warning" in plain.stderr
    strict = runner.invoke(cli, ["check", "--strict", "--format", "github", "--corpus", str(tmp_corpus), str(path)])
    assert strict.exit_code == 1 and strict.stdout.startswith("::warning file=")


@pytest.mark.parametrize(
    "sentence",
    [
        "Cakupan akta naik dari 40% menjadi 95% [1].",
        "Cakupan akta naik dari 40% menjadi 95%. [1]",  # the citation right after the full stop
        "- 1.200 akta terbit pada 2019 [1]",
        "Perbup Nomor 12 Tahun 2019 menjadi dasarnya; inovasi ini masuk Top 99 KIPP 2019.",  # no figure: a regulation and a rank
    ],
)
def test_cited_figures_and_non_figures_give_no_warning(tmp_corpus: Path, valid_text: str, sentence: str):
    path = _write(tmp_corpus, valid_text.replace("Cakupan akta naik.", sentence))
    assert load_corpus(tmp_corpus, [path]).warnings == []


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("Cakupan akta naik.", "Hubungi Pak Budi di 0812-3456-7890 [1].", "body", "personal mobile number"),
        ("Cakupan akta naik.", "Surel ke budi.santoso@gmail.com [1].", "body", "personal e-mail address"),
        (
            '    phone: "(0333) 000000"',
            '    phone: "(0333) 000000"\n    email: dukcapil.bwi@yahoo.co.id',
            "contacts.0.email",
            "personal e-mail",
        ),
    ],
)
def test_personal_contact_data_is_an_error(tmp_corpus: Path, valid_text: str, old: str, new: str, field: str, words: str):
    path = _write(tmp_corpus, valid_text.replace(old, new))
    corpus = load_corpus(tmp_corpus, [path])
    assert [p.field for p in corpus.problems if words in p.message] == [field]
    assert "contoh-akta" not in corpus.cases


def test_office_contacts_pass(tmp_corpus: Path, valid_text: str):
    text = valid_text.replace("Cakupan akta naik.", "Layanan pengaduan di (0333) 425222 dan dukcapil@banyuwangikab.go.id.")
    assert load_corpus(tmp_corpus, [_write(tmp_corpus, text)]).problems == []


def test_an_abbreviation_does_not_end_the_sentence(tmp_corpus: Path, valid_text: str):
    text = valid_text.replace("Cakupan akta naik.", "Menurut dr. Andi dari Kab. Banyuwangi, 1.200 akta terbit [1].")
    assert load_corpus(tmp_corpus, [_write(tmp_corpus, text)]).warnings == []


def test_every_fixture_problem_has_an_indonesian_message():
    from jipp_kb.messages import translate

    corpus = load_corpus(INVALID, sorted(INVALID.glob("*.md")))
    untranslated = [str(p) for p in corpus.problems if translate(p, "id").message == p.message]
    assert not untranslated, "\n".join(untranslated)


def test_check_speaks_indonesian_when_asked(tmp_corpus: Path, valid_text: str):
    path = _write(tmp_corpus, valid_text.replace("Cakupan akta naik.", UNCITED))
    result = CliRunner().invoke(cli, ["check", "--lang", "id", "--corpus", str(tmp_corpus), str(path)])
    assert result.exit_code == 0
    assert "section 'Hasil dan Dampak': peringatan: angka '40%' tanpa rujukan [n] di kalimatnya" in result.stdout
