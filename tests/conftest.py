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


def modules_loaded_by_search(index_dir: Path, mode: str) -> set[str]:
    """Which heavy engines a fresh `jipp-kb search --mode MODE` process imports."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom jipp_kb.cli import cli\n"
        f"sys.argv = ['jipp-kb', 'search', 'akta kelahiran', '--mode', {mode!r}, '--index-dir', {str(index_dir)!r}]\n"
        "try:\n    cli()\nexcept SystemExit:\n    pass\n"
        "print('loaded:', *[m for m in ('torch', 'sentence_transformers', 'transformers', 'onnxruntime') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.rsplit("loaded:", 1)[1].split())
