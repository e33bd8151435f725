"""Nothing crashes, stalls, half-writes or deletes: hostile but realistic input.

Impossible dates, YAML tags, deep nesting, special files and slow-to-parse
text each become one ``path:line: field: message`` problem, in every
command, and the other files still go through.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from jipp_kb.cli import cli
from jipp_kb.corpus import case_files, load_corpus, read_and_validate

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
VALID = (DATA / "valid" / "contoh-akta.md").read_text(encoding="utf-8")


def _with(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


# value typed into the valid fixture -> (line, field, words the message must contain)
BAD_VALUES = {
    "impossible-day": (_with("accessed: 2026-11-27", "accessed: 2026-02-30"), 38, "sources.0.accessed", "day is out of range"),
    "month-13": (_with("last_reviewed: 2026-11-27", "last_reviewed: 2026-13-01"), 39, "last_reviewed", "month must be in 1..12"),
    "year-zero": (_with("last_reviewed: 2026-11-27", "last_reviewed: 0000-00-00"), 39, "last_reviewed", "not a valid date"),
    "hour-25": (_with("accessed: 2026-11-27", "accessed: 2026-11-27 25:00:00"), 38, "sources.0.accessed", "hour must be in 0..23"),
    "int-tag": (_with("year_started: 2013", "year_started: !!int abc"), 22, "year_started", "'abc' is not a valid whole number"),
    "bool-tag": (_with("kipp_category: null", "kipp_category: !!bool maybe"), 24, "kipp_category", "'maybe' is not a valid boolean"),
    "float-tag": (_with("sdgs: [16]", "sdgs: [!!float x]"), 23, "sdgs.0", "not a valid number"),
    "timestamp-tag": (_with("year_started: 2013", "year_started: !!timestamp soon"), 22, "year_started", "not a valid date"),
    "nested-990": (_with("tags: [akta kelahiran, jemput bola]", "tags: " + "[" * 990 + "]" * 990), 40, "tags.0", "valid string"),
}


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_malformed_value_is_one_located_problem(tmp_corpus: Path, name: str):
    text, line, field, words = BAD_VALUES[name]
    path = tmp_corpus / "contoh-akta.md"
    path.write_text(text, encoding="utf-8")
    case, problems = read_and_validate(path, tmp_corpus)
    assert case is None
    assert [(p.line, p.field) for p in problems] == [(line, field)], problems
    assert words in problems[0].message


def test_malformed_values_in_glossary_and_collections_are_problems(tmp_corpus: Path):
    (tmp_corpus / "_glossary.yml").write_text("- term: a\n  expansion: !!int x\n", encoding="utf-8")
    (tmp_corpus / "collections").mkdir()
    (tmp_corpus / "collections" / "c.yml").write_text("title: x\ndate: 2026-02-30\n", encoding="utf-8")
    problems = {(p.path.rsplit("/", 1)[-1], p.line) for p in load_corpus(tmp_corpus).problems}
    assert problems == {("_glossary.yml", 2), ("c.yml", 2)}


@pytest.fixture
def project(tmp_path: Path, tmp_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (config + corpus) holding the valid case and one file per malformed value."""
    root = tmp_corpus
    for name, (text, *_) in BAD_VALUES.items():
        (root / f"{name}.md").write_text(text.replace("id: contoh-akta", f"id: {name}"), encoding="utf-8")
    (tmp_path / "jipp-kb.toml").write_text('corpus = "corpus"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["index", "--keyword-only", "-q"],
        ["build", "-q", "--no-search", "--no-packs", "-o", "_site"],
        ["pack", "--cases", "contoh-akta", "--no-pdf", "-q", "-o", "packs/uji"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_reports_malformed_values_and_goes_on(project: Path, args: list[str]):
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    output = result.output  # stdout and stderr
    for name, (_, line, field, _) in BAD_VALUES.items():
        assert f"corpus/{name}.md:{line}: {field}: " in output, output
    assert result.exit_code == 1, output
    if args[0] == "build":
        assert (project / "_site" / "index.html").is_file()


def test_build_says_how_many_files_it_left_out(project: Path):
    """A malformed file is left out; a look-alike of another case is reported and still built."""
    valid = (project / "corpus" / "contoh-akta.md").read_text(encoding="utf-8")
    (project / "corpus" / "contoh-akta-lagi.md").write_text(valid.replace("id: contoh-akta", "id: contoh-akta-lagi"), encoding="utf-8")
    problems = load_corpus(project / "corpus").problems
    assert any("likely duplicate" in p.message for p in problems)
    result = CliRunner().invoke(cli, ["build", "-q", "--no-search", "--no-packs", "-o", "_site"])
    assert result.exit_code == 1, result.output
    assert f"{len(problems)} problems: {len(BAD_VALUES)} files left out (run jipp-kb check)" in result.output, result.output
    for cid in ("contoh-akta", "contoh-akta-lagi"):
        assert (project / "_site" / "kasus" / cid / "index.html").is_file()


def _special_files(root: Path) -> dict[str, str]:
    """Files no case can be made of -> words the problem must contain."""
    (root / "loop.md").symlink_to("loop.md")
    (root / "a.md").symlink_to("b.md")
    (root / "b.md").symlink_to("a.md")
    os.mkfifo(root / "pipe.md")
    (root / "zero.md").symlink_to("/dev/zero")
    (root / "folder.md").mkdir()
    shutil.copy(root / "contoh-akta.md", root / "upper.MD")
    shutil.copy(root / "contoh-akta.md", root / "long.markdown")
    return {
        "loop.md": "link loop",
        "a.md": "link loop",
        "b.md": "link loop",
        "pipe.md": "not a regular file (a named pipe)",
        "zero.md": "outside the corpus",
        "folder.md": "not a regular file (a folder)",
        "upper.MD": "rename it to 'upper.md'",
        "long.markdown": "rename it to 'long.md'",
    }


def test_special_files_are_reported_and_skipped_without_hanging(tmp_corpus: Path):
    expected = _special_files(tmp_corpus)
    start = time.monotonic()
    corpus = load_corpus(tmp_corpus)
    assert time.monotonic() - start < 10
    found = {p.path.rsplit("/", 1)[-1]: p.message for p in corpus.problems}
    assert set(found) == set(expected), found
    for name, words in expected.items():
        assert words in found[name], (name, found[name])
    assert list(corpus.cases) == ["contoh-akta"]


def test_devices_given_as_paths_are_refused_not_read(tmp_corpus: Path):
    result = CliRunner().invoke(cli, ["check", "--corpus", str(tmp_corpus), "/dev/zero"])
    assert result.exit_code == 1, result.output
    assert "/dev/zero:1: file: not a regular file (a character device)" in result.output


def test_case_files_lists_misnamed_markdown(tmp_corpus: Path):
    (tmp_corpus / "x.MD").write_text("", encoding="utf-8")
    (tmp_corpus / "y.markdown").write_text("", encoding="utf-8")
    assert [p.name for p in case_files(tmp_corpus)] == ["contoh-akta.md", "x.MD", "y.markdown"]


SLOW_BEFORE = {  # input -> seconds it took to render before the link parsing was made linear
    "brackets": ("[" * 40000, 79),
    "citation-openings": ("[1, " * 4000, 23),
    "image-openings": ("![" * 5000, 11),
    "link-openings": ("[a](" * 3000, 6),
    "link-openings-then-quote": ("[a](" * 3000 + '"', 6),
}


@pytest.mark.parametrize("name", sorted(SLOW_BEFORE))
def test_rendering_is_linear_on_bracket_runs(name: str):
    from jipp_kb.render.markdown import to_html

    text, _ = SLOW_BEFORE[name]
    start = time.monotonic()
    html = to_html(text)
    assert time.monotonic() - start < 3, name
    assert html.count("[") == text.count("[")  # unmatched brackets stay literal text


def test_links_and_citations_render_as_before():
    from jipp_kb.render.markdown import to_html

    text = "Lihat [laman](https://example.org/a (b)) dan [3, 5]; [[x]](u) ![i](j) [a]: [b](c 'judul') [1]"
    assert to_html(text) == (
        '<p>Lihat <a href="https://example.org/a (b)" rel="noopener noreferrer nofollow">laman</a> dan '
        '[<a class="cite" href="#sumber-3">3</a>, <a class="cite" href="#sumber-5">5</a>]; <a href="u">[x]</a>  [a]: '
        '<a href="c" title="judul">b</a> [<a class="cite" href="#sumber-1">1</a>]</p>'
    )


def test_huge_heading_line_parses_in_linear_time(tmp_corpus: Path):
    path = tmp_corpus / "contoh-akta.md"
    path.write_text(VALID + "\n## x" + " " * 4000 + "y #\n", encoding="utf-8")  # the old regex: about 4 minutes
    start = time.monotonic()
    _, problems = read_and_validate(path, tmp_corpus)
    assert time.monotonic() - start < 2
    assert [p.field for p in problems] == ["body"] and "unknown section '## x" in problems[0].message


# -- output options never destroy files ------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path, tmp_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a config, a small corpus (conftest's tmp_corpus) and a pack someone made earlier."""
    (tmp_path / "jipp-kb.toml").write_text('corpus = "corpus"\n', encoding="utf-8")
    (tmp_path / "packs" / "bimtek").mkdir(parents=True)
    (tmp_path / "packs" / "bimtek" / "pack.md").write_text("# mine\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("output", [".", "corpus", "corpus/site", "/", "..", "notes"])
def test_build_refuses_outputs_it_does_not_own(repo: Path, output: str):
    (repo / "notes").mkdir()
    (repo / "notes" / "todo.txt").write_text("x", encoding="utf-8")
    before = _snapshot(repo)
    result = CliRunner().invoke(cli, ["build", "-q", "--no-search", "--no-packs", "--output", output])
    assert result.exit_code == 2, result.output
    assert "refusing to build into" in result.output
    assert _snapshot(repo) == before


def test_build_marks_its_output_and_builds_there_again(repo: Path):
    for _ in range(2):
        result = CliRunner().invoke(cli, ["build", "-q", "--no-search", "--no-packs", "--output", "out"])
        assert result.exit_code == 0, result.output
        assert (repo / "out" / ".jipp-kb-site").is_file() and (repo / "out" / "index.html").is_file()


def test_schema_never_replaces_a_case(repo: Path):
    case = repo / "corpus" / "contoh-akta.md"
    before = case.read_bytes()
    result = CliRunner().invoke(cli, ["schema", str(case)])
    assert result.exit_code == 2 and "--force" in result.output
    assert case.read_bytes() == before
    target = repo / "corpus" / "_schema.json"
    assert CliRunner().invoke(cli, ["schema", str(target)]).exit_code == 0
    assert CliRunner().invoke(cli, ["schema", str(target)]).exit_code == 0  # its own schema: replaced without --force
    assert CliRunner().invoke(cli, ["schema", "--force", str(case)]).exit_code == 0
    assert case.read_bytes() != before


@pytest.mark.parametrize("output", ["corpus", ".", "packs/bimtek"])
def test_pack_never_overwrites_files_it_did_not_write(repo: Path, output: str):
    before = _snapshot(repo)
    result = CliRunner().invoke(cli, ["pack", "--cases", "contoh-akta", "--no-pdf", "-q", "-o", output])
    assert result.exit_code == 2, result.output
    assert _snapshot(repo) == before


def test_pack_writes_its_folder_again_and_force_overwrites(repo: Path):
    args = ["pack", "--cases", "contoh-akta", "--no-pdf", "-q"]
    for _ in range(2):
        assert CliRunner().invoke(cli, [*args, "-o", "packs/baru"]).exit_code == 0
    assert (repo / "packs" / "baru" / ".jipp-kb-pack").is_file()
    assert CliRunner().invoke(cli, [*args, "--force", "-o", "packs/bimtek"]).exit_code == 0
    assert (repo / "packs" / "bimtek" / "pack.md").read_text(encoding="utf-8") != "# mine\n"


def test_matrix_csv_neutralises_spreadsheet_formulas():
    from jipp_kb.pack.documents import csv_cell

    assert [csv_cell(v) for v in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\t=1", "Biasa", "", "1 = 1")] == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\t=1",
        "Biasa",
        "",
        "1 = 1",
    ]


def test_overlong_paragraph_is_a_check_problem(tmp_corpus: Path):
    """Python-Markdown's time grows with the square of a paragraph's length; check stops such a file before build."""
    path = tmp_corpus / "contoh-akta.md"
    long = " ".join(["*kata*"] * 1500)
    path.write_text(VALID.replace("## Inovasi\n", f"## Inovasi\n\n{long}\n", 1), encoding="utf-8")
    _, problems = read_and_validate(path, tmp_corpus)
    line = VALID.split("\n").index("## Inovasi") + 3
    assert [(p.line, p.field) for p in problems] == [(line, "section 'Inovasi'")], problems
    assert "paragraph of 10,500 characters" in problems[0].message


def test_unclosed_angle_brackets_render_in_linear_time():
    from jipp_kb.render.markdown import to_html

    start = time.monotonic()
    html = to_html("<a " * 3000 + "x <b " * 2000)
    assert time.monotonic() - start < 3
    assert html.count("&lt;") == 5000
    assert to_html("`a < b` and c < d") == "<p><code>a &lt; b</code> and c &lt; d</p>"  # a few are left to Markdown


def test_link_loop_in_corpus_does_not_break_checking_one_file(tmp_corpus: Path):
    (tmp_corpus / "loop.md").symlink_to("loop.md")
    result = CliRunner().invoke(cli, ["check", "--corpus", str(tmp_corpus), str(tmp_corpus / "contoh-akta.md")])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["check", "--corpus", str(tmp_corpus), str(tmp_corpus)])
    assert result.exit_code == 1 and "loop.md:1: file: broken symbolic link or link loop" in result.output
