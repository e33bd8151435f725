"""jipp-kb.toml: file values override defaults, unknown keys are usage errors, JIPP_KB_MODEL beats the file."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from jipp_kb.cli import cli
from jipp_kb.config import Config, load_config

ROOT = Path(__file__).parent.parent
VALID = Path(__file__).parent / "data" / "valid"


@pytest.fixture(autouse=True)
def no_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIPP_KB_MODEL", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder whose jipp-kb.toml points at a corpus not called 'corpus'."""
    shutil.copytree(VALID, tmp_path / "kasus")
    (tmp_path / "jipp-kb.toml").write_text(
        'title = "Pustaka Uji"\nbase_url = "/pustaka/"\ncorpus = "kasus"\nmodel = "model-dari-berkas"\n', encoding="utf-8"
    )
    return tmp_path


def test_file_values_override_defaults(project: Path):
    config = load_config(project / "jipp-kb.toml")
    assert (config.title, config.base_url, config.model) == ("Pustaka Uji", "/pustaka/", "model-dari-berkas")
    assert config.title_en == Config.title_en, "keys not in the file keep their defaults"
    assert config.resolve(config.corpus) == project / "kasus", "paths are relative to the file"


def test_cli_reads_the_corpus_path_from_the_config_file(project: Path):
    result = CliRunner().invoke(cli, ["--config", str(project / "jipp-kb.toml"), "stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == 1


def test_cli_finds_jipp_kb_toml_in_the_current_folder(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "1 file checked, 0 errors, 0 warnings" in result.stderr


def test_unknown_key_is_a_usage_error(tmp_path: Path):
    bad = tmp_path / "jipp-kb.toml"
    bad.write_text('title = "x"\ncolour = "blue"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "stats"])
    assert result.exit_code == 2
    assert "unknown setting 'colour'" in result.stderr and "known: " in result.stderr
    assert "Traceback" not in result.output


def test_malformed_toml_is_a_usage_error(tmp_path: Path):
    bad = tmp_path / "jipp-kb.toml"
    bad.write_text('title = "unclosed\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "check"])
    assert result.exit_code == 2
    assert str(bad) in result.stderr


def test_environment_model_wins_over_the_file(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JIPP_KB_MODEL", "model-dari-lingkungan")
    assert load_config(project / "jipp-kb.toml").model == "model-dari-lingkungan"


def test_command_line_option_wins_over_the_environment(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JIPP_KB_MODEL", "model-dari-lingkungan")
    assert load_config(project / "jipp-kb.toml", model="model-dari-opsi").model == "model-dari-opsi"
    assert load_config(project / "jipp-kb.toml", model=None).model == "model-dari-lingkungan"


def test_the_repository_config_states_the_real_defaults():
    """The root jipp-kb.toml documents the defaults; only where the site is published may differ."""
    config = load_config(ROOT / "jipp-kb.toml")
    defaults = Config(root=ROOT)
    for f in fields(Config):
        if f.name not in ("base_url", "repo_url", "edit_branch"):
            assert getattr(config, f.name) == getattr(defaults, f.name), f"jipp-kb.toml sets {f.name} to a value that is not the default"


def test_theme_dir_is_relative_to_the_config_file(project: Path):
    (project / "jipp-kb.toml").write_text('theme_dir = "tema"\n', encoding="utf-8")
    assert load_config(project / "jipp-kb.toml").theme_path() == project / "tema"
    assert Config().theme_path() is None, "no override unless set"


def test_a_path_setting_that_is_not_a_string_is_a_usage_error(tmp_path: Path):
    bad = tmp_path / "jipp-kb.toml"
    bad.write_text("theme_dir = 3\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(bad), "stats"])
    assert result.exit_code == 2
    assert "'theme_dir' must be a path in quotes" in result.stderr and "Traceback" not in result.output
