"""`jipp-kb stats`: counts by facet and the coverage goals not met, as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jipp_kb.cli import cli

VALID = Path(__file__).parent / "data" / "valid"

SULSEL = (
    "Kabupaten Bantaeng, Kabupaten Barru, Kabupaten Bone, Kabupaten Bulukumba, Kabupaten Enrekang, Kabupaten Gowa, Kabupaten Jeneponto, "
    "Kabupaten Kepulauan Selayar, Kabupaten Luwu, Kabupaten Luwu Timur, Kabupaten Luwu Utara, Kabupaten Maros, Kabupaten Pangkajene dan Kepulauan, "
    "Kabupaten Pinrang, Kabupaten Sidenreng Rappang, Kabupaten Sinjai, Kabupaten Soppeng, Kabupaten Takalar, Kabupaten Tana Toraja, "
    "Kabupaten Toraja Utara, Kabupaten Wajo, Kota Makassar, Kota Palopo, Kota Parepare"
)
UNMET_FOR_THE_FIXTURE = [
    "1 cases; the goal is at least 300",
    "1 full case studies; the goal is at least 150",
    f"Sulawesi Selatan: no innovation yet from {SULSEL}",
    "1 provinces; the goal is at least 30",
    "Jawa Timur has 1 cases; the goal is at least 20",
    "Sumatera Selatan has 0 cases; the goal is at least 20",
    "Sulawesi Selatan has 0 cases; the goal is at least 20",
    "1 urusan; the goal is at least 12",
    "no case at level 'nasional'",
    "no case at level 'provinsi'",
    "no case at level 'kota'",
    "no case at level 'desa'",
    "no digital case",
    "no case with status 'berhenti' (why innovations stop is knowledge too)",
    "0 replication pairs inside the corpus; the goal is at least 10",
    "0 collections; the goal is at least 6",
]


def _stats(corpus: Path, *args: str):
    return CliRunner().invoke(cli, ["stats", "--corpus", str(corpus), *args])


def test_stats_json_on_the_fixture_corpus():
    result = _stats(VALID, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "cases": 1,
        "depth": {"studi kasus": 1},
        "province": {"Jawa Timur": 1},
        "level": {"kabupaten": 1},
        "urusan": {"administrasi kependudukan dan pencatatan sipil": 1},
        "year_started": {"2013": 1},
        "jenis": {"non-digital": 1},
        "status": {"berjalan": 1},
        "award": {"KIPP Top 25": 1},
        "replication_links": 0,
        "collections": 0,
        "glossary_terms": 0,
        "unmet": UNMET_FOR_THE_FIXTURE,
    }
    assert result.stderr == ""


def test_stats_text_on_the_fixture_corpus():
    result = _stats(VALID)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "cases: 1"
    assert "province (1):" in lines and "     1  Jawa Timur" in lines
    assert "award (1):" in lines and "     1  KIPP Top 25" in lines
    assert "replication links: 0" in lines and "collections: 0" in lines and "glossary terms: 0" in lines
    assert "coverage: goals not met:" in lines
    assert lines[-len(UNMET_FOR_THE_FIXTURE) :] == [f"  - {u}" for u in UNMET_FOR_THE_FIXTURE]


def test_stats_output_is_byte_identical_across_runs():
    assert _stats(VALID, "--json").stdout == _stats(VALID, "--json").stdout
    assert _stats(VALID).stdout == _stats(VALID).stdout


def test_stats_counts_replications_collections_and_glossary(tmp_corpus: Path, valid_text: str):
    (tmp_corpus / "contoh-akta.md").write_text(valid_text.replace("replicated_by: []", "replicated_by: [tiruan]"), encoding="utf-8")
    copy = valid_text.replace("contoh-akta", "tiruan").replace("Contoh Akta (", "Tiruan Akta (")
    copy = copy.replace("Contoh Layanan Akta Kelahiran", "Tiruan").replace("regency: Kabupaten Banyuwangi", "regency: Kabupaten Lumajang")
    copy = copy.replace("replicated_from: []", "replicated_from: [contoh-akta]")
    copy = copy.replace("jenis: non-digital", "jenis: digital").replace("status: berjalan", "status: berhenti")
    (tmp_corpus / "tiruan.md").write_text(copy, encoding="utf-8")
    (tmp_corpus / "collections").mkdir()
    (tmp_corpus / "collections" / "akta.yml").write_text(
        "title: Akta\ndescription: Layanan akta.\naudience: Dukcapil\ncases: [contoh-akta, tiruan]\n", encoding="utf-8"
    )
    (tmp_corpus / "_glossary.yml").write_text("- term: Dukcapil\n  expansion: Kependudukan dan Pencatatan Sipil\n", encoding="utf-8")
    data = json.loads(_stats(tmp_corpus, "--json").stdout)
    assert data["cases"] == 2
    assert data["jenis"] == {"digital": 1, "non-digital": 1}
    assert data["status"] == {"berhenti": 1, "berjalan": 1}
    assert (data["replication_links"], data["collections"], data["glossary_terms"]) == (1, 1, 1)
    assert "1 replication pairs inside the corpus; the goal is at least 10" in data["unmet"]
    assert "Jawa Timur has 2 cases; the goal is at least 20" in data["unmet"]
    assert not any("digital case" in u or "berhenti" in u for u in data["unmet"])


def test_stats_leaves_out_invalid_files_and_says_so(tmp_corpus: Path):
    (tmp_corpus / "rusak.md").write_text("no front matter\n", encoding="utf-8")
    result = _stats(tmp_corpus, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["cases"] == 1
    assert "1 problem: invalid files are not counted (run jipp-kb check)" in result.stderr


def test_stale_lists_statuses_not_confirmed_within_a_year(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (VALID / "contoh-akta.md").read_text(encoding="utf-8")
    (corpus / "contoh-akta.md").write_text(
        text.replace("status: berjalan\n", "status: berjalan\nstatus_confirmed: {date: 2020-01-31, source: 1}\n", 1), encoding="utf-8"
    )
    result = _stats(corpus, "--stale", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"id": "contoh-akta", "status": "berjalan", "confirmed": "2020-01-31", "path": "contoh-akta.md"}]
