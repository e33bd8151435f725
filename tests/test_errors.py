"""Every error a user can fix is a JippError, and the CLI prints it as one line with its exit code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import jipp_kb
from jipp_kb.cli import cli
from jipp_kb.errors import JippError

INTERNAL = {"jipp_kb.load.BadValue", "jipp_kb.load.ReadError", "jipp_kb.e5file.E5FileError", "jipp_kb.tantivy_index.Unsupported"}
"""Raised and caught inside one module, which turns them into located problems (the loader) or a ModelError
(the ONNX engine reading the model's weights) or a fallback to whoosh (a query tantivy cannot rank); they never
reach the user as they are."""


def _exception_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(jipp_kb.__path__, "jipp_kb."):
        if info.name.startswith("jipp_kb.theme") or info.name == "jipp_kb.__main__":
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == info.name:
                found.append(obj)
    return found


def test_every_error_of_the_package_is_a_jipp_error():
    classes = _exception_classes()
    assert len(classes) >= 15
    stray = [f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, JippError)]
    assert set(stray) == INTERNAL


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["search", "akta", "--mode", "keyword"], 1, "no keyword index in"),
        (["similar", "contoh-akta"], 1, "no keyword index in"),
        (["search", "akta", "--province", "Atlantis"], 2, "Atlantis"),
        (["pack", "--collection", "tidak-ada", "--no-pdf"], 1, "tidak-ada"),
    ],
)
def test_cli_turns_errors_into_one_line(tmp_path: Path, tmp_corpus: Path, monkeypatch: pytest.MonkeyPatch, args, code, words):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*args[:1], "--corpus", str(tmp_corpus), *args[1:]] if args[0] == "pack" else args)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and words in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error:")]) == 1
