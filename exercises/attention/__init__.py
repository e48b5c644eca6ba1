"""scaled_dot_product_attention(q, k, v, mask=None) with broadcast batch and head dimensions."""

from __future__ import annotations

import math

import numpy as np

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, keep_one
from exercises.gen import mask as _gen_mask
from exercises.gen import normal as _normal
from exercises.specs import Array, within_hull


def _qkv(
    rng: np.random.Generator,
    *,
    batch: tuple[int, ...],
    length: int,
    source: int,
    d: int,
    dv: int,
    kv_batch: tuple[int, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    kv_batch = batch if kv_batch is None else kv_batch
    q = _normal(rng, (*batch, length, d))
    k = _normal(rng, (*kv_batch, source, d))
    v = _normal(rng, (*kv_batch, source, dv))
    return q, k, v


def _single_head(rng: np.random.Generator) -> Inputs:
    return Inputs(args=_qkv(rng, batch=(), length=5, source=7, d=8, dv=8))


def _heads(rng: np.random.Generator) -> Inputs:
    return Inputs(args=_qkv(rng, batch=(2, 3), length=6, source=6, d=16, dv=16))


def _different_sizes(rng: np.random.Generator) -> Inputs:
    return Inputs(args=_qkv(rng, batch=(3,), length=4, source=9, d=5, dv=11))


def _causal(rng: np.random.Generator) -> Inputs:
    q, k, v = _qkv(rng, batch=(2, 2), length=7, source=7, d=8, dv=4)
    mask = np.tril(np.ones((7, 7), dtype=bool))
    return Inputs(args=(q, k, v), kwargs={"mask": np.broadcast_to(mask, (2, 2, 7, 7)).copy()})


def _padding_mask(rng: np.random.Generator) -> Inputs:
    q, k, v = _qkv(rng, batch=(3, 2), length=5, source=8, d=8, dv=6)
    lengths = rng.integers(1, 9, size=3)
    mask = (np.arange(8)[None, :] < lengths[:, None]).reshape(3, 1, 1, 8)
    return Inputs(args=(q, k, v), kwargs={"mask": mask})


def _mask_broadcast(rng: np.random.Generator) -> Inputs:
    q, k, v = _qkv(rng, batch=(2, 4), length=6, source=5, d=8, dv=8)
    mask = _gen_mask(rng, (6, 5))
    return Inputs(args=(q, k, v), kwargs={"mask": mask})


def _kv_broadcast(rng: np.random.Generator) -> Inputs:
    return Inputs(args=_qkv(rng, batch=(2, 4), kv_batch=(2, 1), length=3, source=6, d=8, dv=8))


def _single_key(rng: np.random.Generator) -> Inputs:
    return Inputs(args=_qkv(rng, batch=(2,), length=4, source=1, d=8, dv=3))


def _exact_large(
    rng: np.random.Generator, shape_q: tuple[int, ...], shape_k: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    # Small integers times 100 keep every logit exact in float32 (|logit| <= 1e4 with D = 16,
    # sqrt(D) = 4), so the probabilities do not depend on summation order.
    q = (rng.integers(-5, 6, size=shape_q) * 100).astype(F32)
    k = rng.integers(-5, 6, size=shape_k).astype(F32)
    return q, k


def _large_logits(rng: np.random.Generator) -> Inputs:
    q, k = _exact_large(rng, (2, 6, 16), (2, 9, 16))
    v = _normal(rng, (2, 9, 5))
    return Inputs(args=(q, k, v))


def _large_logits_masked(rng: np.random.Generator) -> Inputs:
    q, k = _exact_large(rng, (2, 2, 5, 16), (2, 2, 8, 16))
    v = _normal(rng, (2, 2, 8, 4))
    scores = np.einsum("...ld,...sd->...ls", q.astype(np.float64), k.astype(np.float64))
    # Mask out each row's best key, so an ignored mask shows up at once.
    mask = np.ones(scores.shape, dtype=bool)
    np.put_along_axis(mask, scores.argmax(axis=-1)[..., None], False, axis=-1)
    mask &= rng.random(scores.shape) < 0.7
    return Inputs(args=(q, k, v), kwargs={"mask": keep_one(rng, mask)})


def _random_shapes(rng: np.random.Generator) -> Inputs:
    rank = int(rng.integers(0, 3))
    batch = tuple(int(n) for n in rng.integers(1, 4, size=rank))
    length, source = (int(n) for n in rng.integers(1, 10, size=2))
    d, dv = (int(n) for n in rng.integers(1, 17, size=2))
    return Inputs(args=_qkv(rng, batch=batch, length=length, source=source, d=d, dv=dv))


def _performance(rng: np.random.Generator) -> Inputs:
    return Inputs(args=_qkv(rng, batch=(2, 4), length=256, source=256, d=64, dv=64))


class Attention(Exercise):
    slug = "attention"
    title_en = "Scaled dot-product attention"
    title_zh = "缩放点积注意力"
    entry_point = "scaled_dot_product_attention"
    topic = "attention"
    cards = ("注意力机制的公式是什么？", "为什么除以根号dk呢？", "K为什么要转置？")
    position = 2
    output = Array(properties=(within_hull("v"),))
    forbidden_ops = ("attention", "softmax")
    forbidden = (
        "torch.nn.functional.scaled_dot_product_attention",
        "torch.nn.functional.multi_head_attention_forward",
        "torch.nn.MultiheadAttention",
        "torch._scaled_dot_product_attention_math",
        "torch._C._nn.scaled_dot_product_attention",
    )
    samples = (
        Sample(
            name="sample: one query, two keys",
            inputs=Inputs(
                args=(
                    np.array([[1.0, 0.0]], dtype=F32),
                    np.array([[1.0, 0.0], [0.0, 1.0]], dtype=F32),
                    np.array([[1.0, 2.0], [3.0, 4.0]], dtype=F32),
                )
            ),
        ),
        Sample(
            name="sample: causal mask",
            inputs=Inputs(
                args=(
                    np.array([[0.5, 1.0], [1.0, -1.0]], dtype=F32),
                    np.array([[1.0, 1.0], [2.0, 0.0]], dtype=F32),
                    np.array([[1.0, 0.0], [0.0, 1.0]], dtype=F32),
                ),
                kwargs={"mask": np.array([[True, False], [True, True]])},
            ),
        ),
    )
    hidden = (
        HiddenCase("single head, no batch dimensions", _single_head),
        HiddenCase("batch and heads (B, H, L, D)", _heads),
        HiddenCase("L != S and Dv != D", _different_sizes),
        HiddenCase("causal mask", _causal),
        HiddenCase("padding mask of shape (B, 1, 1, S)", _padding_mask),
        HiddenCase("(L, S) mask broadcast over batch and heads", _mask_broadcast),
        HiddenCase("k and v broadcast over heads", _kv_broadcast),
        HiddenCase("a single key (S = 1)", _single_key),
        HiddenCase("stable for large logits", _large_logits),
        HiddenCase("masked positions with large logits", _large_logits_masked),
        HiddenCase("random shapes and ranks", _random_shapes),
    )
    performance = PerformanceTest(
        name="fast enough on (2, 4, 256, 64) inputs",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
    ) -> np.ndarray:
        q64, k64, v64 = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
        scores = q64 @ np.swapaxes(k64, -1, -2) / math.sqrt(q64.shape[-1])
        if mask is not None:
            scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
        scores = scores - scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(axis=-1, keepdims=True)
        return (weights @ v64).astype(F32)
