"""encoder_layer(x, params, num_heads, norm_first=False, eps=1e-5): one Transformer encoder layer,
as nn.TransformerEncoderLayer(batch_first=True, dropout=0, activation="relu") computes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, normal, sizes, uniform

KEYS = (
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
    "linear1.weight",
    "linear1.bias",
    "linear2.weight",
    "linear2.bias",
    "norm1.weight",
    "norm1.bias",
    "norm2.weight",
    "norm2.bias",
)


class _Options(TypedDict, total=False):
    """encoder_layer's keyword arguments."""

    norm_first: bool
    eps: float


class _CaseOptions(_Options, total=False):
    """_layer's knobs: encoder_layer's keyword arguments and how the inputs are drawn."""

    x_scale: float
    offset: float
    qk_scale: float


def _layer(
    rng: np.random.Generator,
    n: int,
    length: int,
    e: int,
    heads: int,
    ff: int,
    *,
    x_scale: float = 1.0,
    offset: float = 0.0,
    qk_scale: float = 1.0,
    **kwargs: Unpack[_Options],
) -> Inputs:
    """Every parameter random (LayerNorm weight 1 / bias 0 and zero biases would hide bugs)."""
    w = 1 / np.sqrt(e)
    shapes = ((3 * e, e), (3 * e,), (e, e), (e,), (ff, e), (ff,), (e, ff), (e,))
    params = {k: normal(rng, s, w if len(s) == 2 else 0.2) for k, s in zip(KEYS, shapes)}
    params["linear2.weight"] *= np.float32(np.sqrt(e / ff))
    params["self_attn.in_proj_weight"][: 2 * e] *= np.float32(qk_scale)
    for key in KEYS[8:]:
        params[key] = (
            uniform(rng, (e,), 0.5, 1.5) if key.endswith("weight") else normal(rng, (e,), 0.2)
        )
    x = normal(rng, (n, length, e), x_scale) + np.float32(offset)
    return Inputs(args=(x, params, heads), kwargs=kwargs)


def _case(
    n: int, length: int, e: int, heads: int, ff: int, **options: Unpack[_CaseOptions]
) -> Callable[[np.random.Generator], Inputs]:
    return lambda rng: _layer(rng, n, length, e, heads, ff, **options)


def _random(norm_first: bool) -> Callable[[np.random.Generator], Inputs]:
    def make(rng: np.random.Generator) -> Inputs:
        n, length, heads, head_dim = sizes(rng, 4, low=1, high=6)
        ff = int(rng.integers(4, 33))
        return _layer(rng, n, length, heads * head_dim, heads, ff, norm_first=norm_first)

    return make


class TransformerEncoderLayer(Exercise):
    slug = "transformer-encoder-layer"
    title_en = "Transformer encoder layer"
    title_zh = "Transformer 编码器层"
    entry_point = "encoder_layer"
    topic = "attention"
    cards = ("简述Transformer结构图", "残差的作用", "简述Layer Norm")
    difficulty = "hard"
    position = 33
    rtol = 1e-4
    atol = 1e-5
    forbidden_ops = ("attention", "layer_norm")
    forbidden = (
        "torch.nn.TransformerEncoderLayer",
        "torch.nn.TransformerEncoder",
        "torch.nn.Transformer",
        "torch.nn.MultiheadAttention",
        "torch.nn.functional.multi_head_attention_forward",
        "torch.nn.functional.scaled_dot_product_attention",
        "torch.nn.LayerNorm",
        "torch.nn.functional.layer_norm",
        "torch.layer_norm",
        "torch.native_layer_norm",
    )
    samples = (
        Sample(
            "sample: post-norm, E=4, 2 heads",
            _case(1, 3, 4, 2, 8, x_scale=2.0)(np.random.default_rng(1)),
        ),
        Sample(
            "sample: pre-norm (norm_first=True), E=4, 2 heads",
            _case(1, 3, 4, 2, 8, x_scale=2.0, norm_first=True)(np.random.default_rng(1)),
        ),
    )
    hidden = (
        HiddenCase("random sizes, post-norm", _random(False)),
        HiddenCase("random sizes, pre-norm", _random(True)),
        HiddenCase("one head", _case(2, 5, 8, 1, 16)),
        HiddenCase("head size 1 (E = num_heads)", _case(2, 4, 6, 6, 12, norm_first=True)),
        HiddenCase("sequence length 1", _case(3, 1, 8, 2, 16)),
        HiddenCase("one long sequence, 4 heads", _case(1, 24, 16, 4, 32, norm_first=True)),
        HiddenCase("eps = 0.5 on small activations", _case(2, 6, 8, 2, 16, x_scale=0.05, eps=0.5)),
        HiddenCase(
            "eps = 0.1, pre-norm, small inputs",
            _case(2, 6, 8, 4, 16, x_scale=0.05, eps=0.1, norm_first=True),
        ),
        HiddenCase("inputs offset by 50", _case(2, 5, 8, 2, 16, offset=50.0)),
        HiddenCase(
            "sharp attention (scores in the hundreds)", _case(2, 6, 8, 2, 16, qk_scale=12.0)
        ),
    )
    performance = PerformanceTest(
        name="fast enough for N=8, L=64, E=128, 4 heads, dim_feedforward=512",
        make=_case(8, 64, 128, 4, 512),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        x: np.ndarray,
        params: dict[str, np.ndarray],
        num_heads: int,
        norm_first: bool = False,
        eps: float = 1e-5,
    ) -> np.ndarray:
        p = {key: np.asarray(value, dtype=np.float64) for key, value in params.items()}
        x = np.asarray(x, dtype=np.float64)

        def norm(t: np.ndarray, i: int) -> np.ndarray:
            centred = t - t.mean(axis=-1, keepdims=True)
            scaled = centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + eps)
            return scaled * p[f"norm{i}.weight"] + p[f"norm{i}.bias"]

        def attend(t: np.ndarray) -> np.ndarray:
            n, length, e = t.shape
            qkv = t @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
            split = qkv.reshape(n, length, 3, num_heads, e // num_heads).transpose(2, 0, 3, 1, 4)
            scores = split[0] @ split[1].swapaxes(-1, -2) / np.sqrt(e // num_heads)
            weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
            heads = (weights / weights.sum(axis=-1, keepdims=True)) @ split[2]
            out = heads.transpose(0, 2, 1, 3).reshape(n, length, e)
            return out @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]

        def feed_forward(t: np.ndarray) -> np.ndarray:
            hidden = np.maximum(t @ p["linear1.weight"].T + p["linear1.bias"], 0.0)
            return hidden @ p["linear2.weight"].T + p["linear2.bias"]

        if norm_first:
            x = x + attend(norm(x, 1))
            return (x + feed_forward(norm(x, 2))).astype(F32)
        x = norm(x + attend(x), 1)
        return norm(x + feed_forward(x), 2).astype(F32)

    def oracle(
        self,
        x: np.ndarray,
        params: dict[str, np.ndarray],
        num_heads: int,
        norm_first: bool = False,
        eps: float = 1e-5,
    ) -> np.ndarray:
        """The real module in float64, in train mode (eval may take a fused fast path)."""
        e, ff = params["linear1.weight"].shape[::-1]
        layer = torch.nn.TransformerEncoderLayer(
            e,
            num_heads,
            ff,
            dropout=0.0,
            activation="relu",
            layer_norm_eps=eps,
            batch_first=True,
            norm_first=norm_first,
            dtype=torch.float64,
        )
        layer.load_state_dict(
            {k: torch.tensor(np.array(v), dtype=torch.float64) for k, v in params.items()}
        )
        layer.train()
        with torch.no_grad():
            return layer(torch.tensor(np.array(x), dtype=torch.float64)).numpy().astype(F32)
