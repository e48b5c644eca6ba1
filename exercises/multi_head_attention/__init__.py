"""multi_head_attention(...): the output of nn.MultiheadAttention(batch_first=True), with masks."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, ints, normal, uniform


def _mha(
    rng: np.random.Generator,
    n: int,
    t: int,
    s: int,
    e: int,
    h: int,
    *,
    self_attn: bool = False,
    pad: bool = False,
    attn: Literal["causal", "random"] | None = None,
    bias: bool = True,
    scale: float = 1.0,
) -> Inputs:
    """attn: None, "causal" or "random" (an (L, S) mask that always allows key 0)."""
    q = normal(rng, (n, t, e), scale)
    k, v = (q, q) if self_attn else (normal(rng, (n, s, e), scale), normal(rng, (n, s, e)))
    a = np.sqrt(3.0 / e)  # projections of unit variance: scores of order 1
    w_in, w_out = uniform(rng, (3 * e, e), -a, a), uniform(rng, (e, e), -a, a)
    b_in, b_out = (uniform(rng, (m,), -0.5, 0.5) if bias else None for m in (3 * e, e))
    kwargs: dict[str, np.ndarray] = {}
    if pad:  # True = padding; every sequence keeps at least its first key
        kwargs["key_padding_mask"] = np.arange(s) >= rng.integers(1, s + 1, size=(n, 1))
    if attn == "causal":
        kwargs["attn_mask"] = np.triu(np.ones((t, s), dtype=bool), k=1)
    elif attn == "random":
        kwargs["attn_mask"] = (rng.random((t, s)) < 0.4) & (np.arange(s) > 0)
    return Inputs(args=(q, k, v, h, w_in, b_in, w_out, b_out), kwargs=kwargs)


def _random_self_attention(rng: np.random.Generator) -> Inputs:
    n, length = ints(rng, 1, 3), ints(rng, 2, 7)
    return _mha(rng, n, length, length, 12, 3, self_attn=True)


def _f32(rows: npt.ArrayLike) -> np.ndarray:
    return np.array(rows, dtype=F32)


def _sample(kwargs: dict[str, np.ndarray]) -> Inputs:
    x = _f32([[[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, -1.0, 0.0]]])
    w_in = np.tile(np.eye(4, dtype=F32), (3, 1))
    w_in[8:] *= 2.0
    w_out = _f32(
        [[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.0], [0.0, 0.0, 0.0, -1.0]]
    )
    b_in = np.zeros(12, F32)
    b_in[8:] = 0.5
    return Inputs(args=(x, x, x, 2, w_in, b_in, w_out, _f32([0.0, 0.0, 1.0, 0.0])), kwargs=kwargs)


class MultiHeadAttention(Exercise):
    slug = "multi-head-attention"
    title_en = "Multi-head attention (nn.MultiheadAttention)"
    title_zh = "多头注意力（nn.MultiheadAttention）"
    entry_point = "multi_head_attention"
    topic = "attention"
    cards = ("简述多头注意力过程", "为什么需要多头注意力？")
    difficulty = "hard"
    position = 30
    rtol, atol = 1e-4, 1e-5
    forbidden_ops = ("attention",)
    forbidden = (
        "torch.nn.MultiheadAttention",
        "torch.nn.functional.multi_head_attention_forward",
        "torch.nn.functional.scaled_dot_product_attention",
        "torch._scaled_dot_product_attention_math",
        "torch._C._nn.scaled_dot_product_attention",
        "torch._native_multi_head_attention",
        "torch.nn.TransformerEncoderLayer",
        "torch.nn.TransformerDecoderLayer",
        "torch.nn.Transformer",
    )
    samples = (
        Sample("sample: two heads, self-attention", _sample({})),
        Sample(
            "sample: key_padding_mask hides the last key",
            _sample({"key_padding_mask": np.array([[False, False, True]])}),
        ),
    )
    hidden = (
        HiddenCase("self-attention, random sizes", _random_self_attention),
        HiddenCase("cross-attention, L != S", lambda rng: _mha(rng, 3, 4, 9, 8, 2)),
        HiddenCase("a single head", lambda rng: _mha(rng, 2, 5, 6, 6, 1)),
        HiddenCase("head dimension 1 (E = num_heads)", lambda rng: _mha(rng, 2, 5, 5, 4, 4)),
        HiddenCase("key_padding_mask", lambda rng: _mha(rng, 4, 6, 7, 8, 2, pad=True)),
        HiddenCase(
            "causal attn_mask", lambda rng: _mha(rng, 2, 6, 6, 12, 3, self_attn=True, attn="causal")
        ),
        HiddenCase(
            "random attn_mask and key_padding_mask together",
            lambda rng: _mha(rng, 3, 5, 8, 8, 4, pad=True, attn="random"),
        ),
        HiddenCase("no biases (None)", lambda rng: _mha(rng, 2, 4, 5, 6, 2, bias=False)),
        HiddenCase("one query, one key", lambda rng: _mha(rng, 3, 1, 1, 8, 2)),
        HiddenCase(
            "stable for large scores",
            lambda rng: _mha(rng, 2, 5, 6, 8, 2, attn="random", scale=8.0),
        ),
        HiddenCase("eight heads, larger batch", lambda rng: _mha(rng, 8, 10, 12, 32, 8, pad=True)),
    )
    performance = PerformanceTest(
        name="fast enough for N=4, L=S=128, E=128, 8 heads",
        make=lambda rng: _mha(rng, 4, 128, 128, 128, 8),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        query: np.ndarray,
        key: np.ndarray,
        value: np.ndarray,
        num_heads: int,
        in_proj_weight: np.ndarray,
        in_proj_bias: np.ndarray | None,
        out_proj_weight: np.ndarray,
        out_proj_bias: np.ndarray | None,
        key_padding_mask: np.ndarray | None = None,
        attn_mask: np.ndarray | None = None,
    ) -> np.ndarray:
        q, k, v, w_in, w_out = (
            np.asarray(a, dtype=np.float64)
            for a in (query, key, value, in_proj_weight, out_proj_weight)
        )
        (n, t, e), s = q.shape, k.shape[1]
        d = e // num_heads
        b_in = np.zeros(3 * e) if in_proj_bias is None else np.asarray(in_proj_bias, np.float64)
        b_out = np.zeros(e) if out_proj_bias is None else np.asarray(out_proj_bias, np.float64)

        def heads(x: np.ndarray, part: int) -> np.ndarray:  # (N, T, E) -> (N, heads, T, d)
            x = x @ w_in[part * e : (part + 1) * e].T + b_in[part * e : (part + 1) * e]
            return x.reshape(n, x.shape[1], num_heads, d).transpose(0, 2, 1, 3)

        scores = heads(q, 0) @ heads(k, 1).transpose(0, 1, 3, 2) / np.sqrt(d)
        blocked = np.zeros((n, 1, t, s), dtype=bool)  # True = not allowed (PyTorch's convention)
        if attn_mask is not None:
            blocked = blocked | np.asarray(attn_mask, dtype=bool)
        if key_padding_mask is not None:
            blocked = blocked | np.asarray(key_padding_mask, dtype=bool)[:, None, None, :]
        scores = np.where(blocked, -np.inf, scores)
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights /= weights.sum(axis=-1, keepdims=True)
        out = (weights @ heads(v, 2)).transpose(0, 2, 1, 3).reshape(n, t, e)
        return (out @ w_out.T + b_out).astype(F32)

    def oracle(
        self,
        query: np.ndarray,
        key: np.ndarray,
        value: np.ndarray,
        num_heads: int,
        in_proj_weight: np.ndarray,
        in_proj_bias: np.ndarray | None,
        out_proj_weight: np.ndarray,
        out_proj_bias: np.ndarray | None,
        key_padding_mask: np.ndarray | None = None,
        attn_mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """A real nn.MultiheadAttention in float64, in train mode with dropout 0 (eval mode may
        take a fused fast path), every parameter loaded from the inputs (zeros for None)."""
        e = query.shape[-1]
        mha = torch.nn.MultiheadAttention(e, num_heads, dropout=0.0, batch_first=True).double()
        mha.train()
        values = (in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias)
        params = (mha.in_proj_weight, mha.in_proj_bias, mha.out_proj.weight, mha.out_proj.bias)

        def t(a: np.ndarray) -> torch.Tensor:
            return torch.tensor(np.asarray(a))

        def t_or_none(a: np.ndarray | None) -> torch.Tensor | None:
            return None if a is None else t(a)

        with torch.no_grad():
            for param, value_ in zip(params, values, strict=True):
                param.copy_(torch.zeros_like(param) if value_ is None else t(value_))
            out, _ = mha(
                *(t(a).double() for a in (query, key, value)),
                key_padding_mask=t_or_none(key_padding_mask),
                attn_mask=t_or_none(attn_mask),
                need_weights=False,
            )
        return out.numpy().astype(F32)
