"""kl_divergence(p_logits, q_logits): KL(P || Q) per row of two softmax distributions."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, large_logits, normal, shape
from exercises.specs import Array, non_negative


def _case(
    rng: np.random.Generator,
    size: Shape,
    p: np.ndarray | None = None,
    q: np.ndarray | None = None,
) -> Inputs:
    p = normal(rng, size, scale=2.0) if p is None else p
    return Inputs(args=(p, normal(rng, size, scale=2.0) if q is None else q))


def _identical(rng: np.random.Generator) -> Inputs:
    p = normal(rng, (8, 6), scale=2.0)
    q = p.copy()
    q[::2] = normal(rng, (4, 6), scale=2.0)  # odd rows: P = Q, divergence exactly 0
    return _case(rng, (8, 6), p, q)


def _masked(rng: np.random.Generator, shared: bool) -> Inputs:
    """-inf logits in P; with `shared`, Q is -inf on some of them too (never where P > 0)."""
    p, q = _case(rng, (10, 7)).args
    masked = rng.random(p.shape) < 0.4
    masked[:, 0] = False  # every row of P keeps a finite logit
    p[masked] = -np.inf
    if shared:
        q[masked & (rng.random(p.shape) < 0.6)] = -np.inf
    return Inputs(args=(p, q))


def _large(rng: np.random.Generator) -> Inputs:
    p, q = large_logits(rng, (12, 9)), large_logits(rng, (12, 9))
    q[:3] = p[:3]  # identical rows: 0, not a difference of two large rounded values
    return Inputs(args=(p, q))


def _sample(p: list[float] | list[list[float]], q: list[float] | list[list[float]]) -> Inputs:
    return Inputs(args=(np.array(p, dtype=F32), np.array(q, dtype=F32)))


class KlDivergence(Exercise):
    slug = "kl-divergence"
    title_en = "KL divergence between two softmax distributions"
    title_zh = "两个 softmax 分布之间的 KL 散度"
    entry_point = "kl_divergence"
    topic = "losses"
    cards = ("简述相对熵", "简述信息熵")
    difficulty = "medium"
    position = 14
    rtol = 1e-4
    atol = 1e-5
    output = Array(properties=(non_negative(),))
    forbidden_ops = ("kl_div",)
    forbidden = (
        "torch.nn.functional.kl_div",
        "torch.nn.KLDivLoss",
        "torch.kl_div",
        "torch.distributions.kl_divergence",
        "torch.distributions.kl.kl_divergence",
        "torch.log_softmax",
        "torch.special.log_softmax",
        "torch.Tensor.log_softmax",
        "torch.nn.functional.log_softmax",
        "torch.nn.LogSoftmax",
        "scipy.special.log_softmax",
        "scipy.special.rel_entr",
        "scipy.special.kl_div",
        "scipy.stats.entropy",
    )
    samples = (
        Sample(
            "sample: two rows of three outcomes",
            _sample([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], [[3.0, 2.0, 1.0], [1.0, 0.0, -1.0]]),
        ),
        Sample("sample: 1-D logits give a 0-d result", _sample([0.0, 1.0], [1.0, 0.0])),
    )
    hidden = (
        HiddenCase("2-D input", lambda rng: _case(rng, shape(rng, rank=2, low=2, high=12))),
        HiddenCase("1-D input: a 0-d result", lambda rng: _case(rng, (int(rng.integers(2, 20)),))),
        HiddenCase(
            "random rank", lambda rng: _case(rng, shape(rng, rank=int(rng.integers(2, 5)), high=6))
        ),
        HiddenCase("K = 1: zero divergence", lambda rng: _case(rng, (5, 1))),
        HiddenCase("many outcomes (K = 1000)", lambda rng: _case(rng, (4, 1000))),
        HiddenCase("identical rows diverge by 0", _identical),
        HiddenCase("-inf logits in P contribute 0", lambda rng: _masked(rng, shared=False)),
        HiddenCase("-inf in Q only where P is masked", lambda rng: _masked(rng, shared=True)),
        HiddenCase("stable for logits up to ±1e4", _large),
    )
    performance = PerformanceTest(
        name="fast enough on (2048, 512) inputs",
        make=lambda rng: _case(rng, (2048, 512)),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(self, p_logits: np.ndarray, q_logits: np.ndarray) -> np.ndarray:
        def log_softmax(z: np.ndarray) -> np.ndarray:
            z = np.asarray(z, dtype=np.float64)
            z = z - z.max(axis=-1, keepdims=True)
            return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

        log_p, log_q = log_softmax(p_logits), log_softmax(q_logits)
        keep = log_p > -np.inf  # P = 0 contributes 0 (and Q may be 0 there too)
        diff = np.subtract(log_p, log_q, out=np.zeros_like(log_p), where=keep)
        return np.asarray((np.exp(log_p) * diff).sum(axis=-1), dtype=F32)  # 0-d for 1-D input

    def oracle(self, p_logits: np.ndarray, q_logits: np.ndarray) -> np.ndarray:
        """F.kl_div pointwise (it gives NaN where P = 0: exp(-inf) · (-inf - ...)), masked."""
        log_p = torch.log_softmax(torch.tensor(p_logits, dtype=torch.float64), dim=-1)
        log_q = torch.log_softmax(torch.tensor(q_logits, dtype=torch.float64), dim=-1)
        pointwise = F.kl_div(log_q, log_p, reduction="none", log_target=True)
        return torch.where(log_p > -torch.inf, pointwise, 0.0).sum(dim=-1).numpy().astype(F32)
