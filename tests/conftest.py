from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def valid_text() -> str:
    return (DATA / "valid" / "contoh-akta.md").read_text(encoding="utf-8")


@pytest.fixture
def tmp_corpus(tmp_path: Path) -> Path:
    """A corpus folder holding the valid fixture and the template."""
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(DATA / "valid" / "contoh-akta.md", root)
    shutil.copy(ROOT / "corpus" / "_template.md", root)
    return root
