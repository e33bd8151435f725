"""`jipp-kb new`: a case file from the template, never overwriting, that `check` then sends back for filling."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from click.testing import CliRunner

from jipp_kb.cli import cli
from jipp_kb.corpus import load_corpus
from jipp_kb.schema import SECTIONS

TITLE = "Sistem Antrean Puskesmas (SIAP)"
ARGS = ["--province", "Sulawesi Selatan", "--regency", "Kabupaten Luwu Utara", "--agency", "Dinas Kesehatan Kabupaten Luwu Utara"]


def _new(corpus: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["new", "--corpus", str(corpus), *args], input=input)


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_new_fills_the_given_fields(tmp_corpus: Path):
    before = date.today()
    result = _new(tmp_corpus, "--title", TITLE, *ARGS)
    assert result.exit_code == 0, result.output
    path = tmp_corpus / "sistem-antrean-puskesmas.md"
    assert result.stdout.strip() == str(path)
    assert f"jipp-kb check {path}" in result.stderr
    meta = _front_matter(path)
    assert meta["id"] == "sistem-antrean-puskesmas"
    assert meta["title"] == TITLE
    assert meta["province"] == "Sulawesi Selatan"
    assert meta["regency"] == "Kabupaten Luwu Utara"
    assert meta["agency"] == "Dinas Kesehatan Kabupaten Luwu Utara"
    assert before <= meta["last_reviewed"] <= date.today()
    assert all(before <= s["accessed"] <= date.today() for s in meta["sources"])
    template = (tmp_corpus / "_template.md").read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").split("---\n", 2)[2] == template.split("---\n", 2)[2], "the body is the template's"


def test_new_quotes_titles_that_would_break_yaml(tmp_corpus: Path):
    title = 'Layanan "Jemput Bola": Akta #1'
    result = _new(tmp_corpus, "--title", title)
    assert result.exit_code == 0, result.output
    assert _front_matter(tmp_corpus / "layanan-jemput-bola-akta-1.md")["title"] == title


def test_new_refuses_to_overwrite(tmp_corpus: Path):
    assert _new(tmp_corpus, "--title", TITLE).exit_code == 0
    path = tmp_corpus / "sistem-antrean-puskesmas.md"
    path.write_text("my work in progress", encoding="utf-8")
    result = _new(tmp_corpus, "--title", TITLE)
    assert result.exit_code == 1
    assert "already exists" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output
    assert path.read_text(encoding="utf-8") == "my work in progress"


def test_new_prompts_for_the_title(tmp_corpus: Path):
    result = _new(tmp_corpus, input=f"{TITLE}\n")
    assert result.exit_code == 0, result.output
    assert "Nama inovasi (title)" in result.output
    assert _front_matter(tmp_corpus / "sistem-antrean-puskesmas.md")["title"] == TITLE


def test_new_without_a_template_is_a_clear_error(tmp_path: Path):
    result = _new(tmp_path, "--title", TITLE)
    assert result.exit_code == 1
    assert "_template.md not found" in result.stderr


def test_new_with_a_title_that_makes_no_file_name(tmp_corpus: Path):
    result = _new(tmp_corpus, "--title", "!!!")
    assert result.exit_code == 1
    assert "cannot make a file name" in result.stderr


def test_new_case_fails_check_only_on_what_is_left_to_fill(tmp_corpus: Path):
    assert _new(tmp_corpus, "--title", TITLE, *ARGS).exit_code == 0
    path = tmp_corpus / "sistem-antrean-puskesmas.md"
    problems = load_corpus(tmp_corpus, [path]).problems
    fields = {p.field for p in problems}
    # Free text still as the template wrote it, and every section's guidance:
    assert {"acronym_expansion", "summary", "summary_en", "sources.0.url", "sources.0.title", "contacts.0.url"} <= fields
    # …the example contact and tags, which would otherwise pass the schema:
    assert {"contacts.0", "tags"} <= fields
    assert {f"section '{s}'" for s in SECTIONS} <= fields
    # …and nothing about the file's structure or the fields the command filled.
    assert all(any(w in p.message for w in ("placeholder", "guidance", "example")) for p in problems), problems
    assert not fields & {"id", "title", "province", "regency", "agency", "level", "last_reviewed", "front matter", "body"}


def test_check_passes_once_the_contributor_has_filled_everything(tmp_corpus: Path):
    assert _new(tmp_corpus, "--title", TITLE, *ARGS).exit_code == 0
    path = tmp_corpus / "sistem-antrean-puskesmas.md"
    meta = _front_matter(path)
    meta.update(acronym_expansion="Sistem Antrean Puskesmas", summary="Ringkasan dari sumber.", summary_en="A summary from the sources.")
    meta["sources"][0].update(url="https://luwuutarakab.go.id/berita/siap", title="Judul berita", publisher="Pemkab Luwu Utara")
    del meta["contacts"][0]["url"]
    meta["tags"] = ["antrean", "puskesmas"]
    body = "".join(f"## {title}\n\nDitulis dari sumber [1].\n\n" for title in SECTIONS)
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--corpus", str(tmp_corpus), str(path)])
    assert result.exit_code == 0, result.output
