"""Embedding search end to end with the real bundled model (all-MiniLM-L6-v2, offline)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jipp_kb.cli import cli
from jipp_kb.config import DEFAULT_MODEL
from jipp_kb.corpus import load_corpus
from jipp_kb.models import chunk_words, model_info
from jipp_kb.search import Searcher
from jipp_kb.vectors import OnnxEncoder, chunk_case, ensure_model
from conftest import modules_loaded_by_search

ROOT = Path(__file__).parent.parent
SUBSET = [
    "lahir-procot-pulang-bawa-akta", "belah-dadoku-muara-enim", "anc-hipnoterapi", "save-bunda-bisa-luwu-utara",
    "hypnogreen-luwu-utara", "sumpah-beruang", "kupas-panggungharjo", "sp4n-lapor", "sahabat-lapor-gowa", "gebrakan-susi",
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A small real corpus, indexed once with the real model."""
    root = tmp_path_factory.mktemp("semantic")
    corpus = root / "corpus"
    corpus.mkdir()
    for cid in SUBSET:
        shutil.copy(ROOT / "corpus" / f"{cid}.md", corpus)
    result = CliRunner().invoke(cli, ["index", "-q", "--json", "--corpus", str(corpus), "--index-dir", str(root / "jipp")])
    assert result.exit_code == 0, result.output
    return root


def _index(workspace: Path, *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["index", "-q", "--json", "--corpus", str(workspace / "corpus"), "--index-dir", str(workspace / "jipp"), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_chunks_fit_the_model_window(workspace):
    encoder = OnnxEncoder(ensure_model(workspace / "jipp", DEFAULT_MODEL))
    limit = encoder.config["max_tokens"]
    words = chunk_words(limit)
    assert 80 <= words <= 100
    corpus = load_corpus(ROOT / "corpus")
    sizes = [encoder.count_tokens(c.text) for case in corpus.sorted_cases() for c in chunk_case(case, words, encoder.count_tokens, limit)]
    assert max(sizes) <= limit, f"a chunk of {max(sizes)} tokens would be cut off"
    assert sum(sizes) / len(sizes) > limit / 2, "chunks use the window, not a sliver of it"


def test_unchanged_text_is_never_embedded_again(workspace):
    again = _index(workspace)["embedding"]
    assert again["embedded"] == 0 and again["reused"] == again["chunks"]
    case = workspace / "corpus" / "sumpah-beruang.md"
    original = case.read_text(encoding="utf-8")
    case.write_text(original.replace("## Pelajaran\n", "## Pelajaran\n\nKalimat baru untuk menguji penyimpanan vektor.\n", 1), encoding="utf-8")
    try:
        changed = _index(workspace)
        assert changed["keyword"]["updated"] == 1
        assert 1 <= changed["embedding"]["embedded"] <= 2, "only the changed section's chunk is embedded"
    finally:
        case.write_text(original, encoding="utf-8")
        _index(workspace)


def test_model_switch_never_mixes_vectors(workspace, tmp_path):
    local = tmp_path / "minilm-lokal"
    shutil.copytree(model_info(DEFAULT_MODEL).path, local)
    data = _index(workspace, "--model", str(local))
    assert data["embedding"]["embedded"] == data["embedding"]["chunks"], "a different model re-embeds everything"
    stores = sorted(p.name for p in (workspace / "jipp").iterdir() if p.is_symlink() and p.name.startswith("vectors-"))
    assert len(stores) == 2


def test_e5_models_get_query_and_passage_prefixes():
    info = model_info("intfloat/multilingual-e5-small")
    assert (info.query_prefix, info.passage_prefix) == ("query: ", "passage: ")
    assert model_info(DEFAULT_MODEL).query_prefix == ""


def test_query_vectors_match_sentence_transformers(workspace):
    from sentence_transformers import SentenceTransformer

    encoder = OnnxEncoder(ensure_model(workspace / "jipp", DEFAULT_MODEL))
    reference = SentenceTransformer(model_info(DEFAULT_MODEL).path, device="cpu")
    texts = ["akta kelahiran diterbitkan di rumah sakit", "complaints from citizens about long queues"]
    ours = encoder.embed(texts, passage=False)
    theirs = reference.encode(texts, normalize_embeddings=True)
    cosines = (ours * theirs).sum(1)
    assert cosines.min() > 0.95, cosines  # int8 quantisation: close to, not equal to, fp32


def test_semantic_finds_a_paraphrase(workspace):
    searcher = Searcher(workspace / "jipp", DEFAULT_MODEL)
    try:
        hits = searcher.search("birth certificate handed to parents at the hospital", "semantic", limit=3).results
        assert "lahir-procot-pulang-bawa-akta" in [h.id for h in hits]
        assert hits[0].section and hits[0].semantic_rank == 1
    finally:
        searcher.close()


def test_filters_apply_to_both_sides(workspace):
    searcher = Searcher(workspace / "jipp", DEFAULT_MODEL)
    try:
        for mode in ("semantic", "hybrid"):
            res = searcher.search("pelayanan masyarakat", mode, {"province": ["Sulawesi Selatan"]}, limit=10)
            regions = {r.region for r in res.results}
            assert res.results and all(r.endswith("Sulawesi Selatan") for r in regions), (mode, regions)
    finally:
        searcher.close()


def test_hybrid_fuses_both_rankings(workspace):
    searcher = Searcher(workspace / "jipp", DEFAULT_MODEL)
    try:
        res = searcher.search("sampah TPA ditutup", "hybrid", limit=5)
        assert res.results[0].id == "sumpah-beruang"
        assert res.results[0].keyword_rank and res.results[0].semantic_rank
    finally:
        searcher.close()


def test_similar_excludes_the_case_and_gives_reasons(workspace):
    result = CliRunner().invoke(cli, ["similar", "anc-hipnoterapi", "--json", "--index-dir", str(workspace / "jipp")])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    ids = [i["id"] for i in items]
    assert "anc-hipnoterapi" not in ids
    assert {"hypnogreen-luwu-utara", "save-bunda-bisa-luwu-utara"} & set(ids[:3])
    assert all(i["reason"] for i in items)
    assert "kesehatan" in items[0]["shared_urusan"]


def test_a_model_that_cannot_load_gets_a_short_message(workspace, tmp_path):
    for model in (str(tmp_path / "tidak-ada"), "organisasi/model-yang-tidak-ada"):
        result = CliRunner().invoke(cli, ["index", "-q", "--corpus", str(workspace / "corpus"), "--index-dir", str(tmp_path / "ix"), "--model", model])
        assert result.exit_code == 1
        assert "cannot load model" in result.output and "Traceback" not in result.output


def test_hybrid_query_path_never_imports_torch(workspace):
    assert modules_loaded_by_search(workspace / "jipp", "hybrid") == {"onnxruntime"}
