"""bce_with_logits(logits, target, pos_weight=None): mean binary cross-entropy from logits."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, binary, large_logits, normal, probabilities, shape, uniform
from exercises.specs import Array, non_negative


def _case(
    rng: np.random.Generator,
    size: Shape,
    *,
    soft: bool = False,
    pos_weight: Shape | None = None,
    logits: np.ndarray | None = None,
) -> Inputs:
    """Logits of `size`, 0/1 or soft targets, and pos_weight of the given shape (or none)."""
    x = normal(rng, size, scale=3.0) if logits is None else logits
    y = probabilities(rng, size) if soft else binary(rng, size)
    x, y = np.asarray(x, dtype=F32), np.asarray(y, dtype=F32)  # size () gives NumPy scalars
    kwargs = {} if pos_weight is None else {"pos_weight": uniform(rng, pos_weight, 0.0, 4.0)}
    return Inputs(args=(x, y), kwargs=kwargs)


def _random_rank(rng: np.random.Generator) -> Inputs:
    size = shape(rng, rank=int(rng.integers(1, 5)), high=6)
    return _case(rng, size, soft=rng.random() < 0.5, pos_weight=size[-1:])


def _large(rng: np.random.Generator, soft: bool) -> Inputs:
    return _case(rng, (12, 8), soft=soft, pos_weight=(8,), logits=large_logits(rng, (12, 8)))


def _sample(
    logits: list[list[float]], target: list[list[float]], pos_weight: list[float] | None = None
) -> Inputs:
    kwargs = {} if pos_weight is None else {"pos_weight": np.array(pos_weight, dtype=F32)}
    return Inputs(args=(np.array(logits, dtype=F32), np.array(target, dtype=F32)), kwargs=kwargs)


class BceWithLogits(Exercise):
    slug = "bce-with-logits"
    title_en = "Binary cross-entropy from logits"
    title_zh = "从 logits 计算二元交叉熵"
    entry_point = "bce_with_logits"
    topic = "losses"
    cards = ("简述逻辑回归", "为什么不能使用均方差做为分类问题的损失函数？")
    difficulty = "easy"
    position = 11
    rtol = 1e-4
    atol = 1e-5
    output = Array(dtype="float", properties=(non_negative(),))
    forbidden_ops = ("binary_cross_entropy",)
    forbidden = (
        "torch.nn.functional.binary_cross_entropy_with_logits",
        "torch.binary_cross_entropy_with_logits",
        "torch.nn.BCEWithLogitsLoss",
        "torch.nn.functional.binary_cross_entropy",
        "torch.nn.BCELoss",
    )
    samples = (
        Sample(
            "sample: 0/1 targets",
            _sample([[1.5, -0.5, 0.0], [-2.0, 3.0, 0.5]], [[1, 0, 1], [0, 1, 0]]),
        ),
        Sample(
            "sample: soft targets and pos_weight",
            _sample([[0.5, -1.0], [2.0, 0.0]], [[0.9, 0.2], [0.5, 1.0]], pos_weight=[3.0, 0.5]),
        ),
    )
    hidden = (
        HiddenCase("1-D logits", lambda rng: _case(rng, (int(rng.integers(5, 40)),))),
        HiddenCase("a single logit (0-d)", lambda rng: _case(rng, ())),
        HiddenCase("soft targets", lambda rng: _case(rng, (9, 7), soft=True)),
        HiddenCase("pos_weight per class (C,)", lambda rng: _case(rng, (10, 5), pos_weight=(5,))),
        HiddenCase("pos_weight of shape (1,)", lambda rng: _case(rng, (6, 4), pos_weight=(1,))),
        HiddenCase(
            "pos_weight (C, 1, 1) on (N, C, H, W)",
            lambda rng: _case(rng, (2, 3, 4, 5), soft=True, pos_weight=(3, 1, 1)),
        ),
        HiddenCase("random rank and shape", _random_rank),
        HiddenCase("stable for logits up to ±1e4", lambda rng: _large(rng, soft=False)),
        HiddenCase("±1e4 with soft targets", lambda rng: _large(rng, soft=True)),
    )
    performance = PerformanceTest(
        name="fast enough on a (2048, 1024) input",
        make=lambda rng: _case(rng, (2048, 1024), soft=True, pos_weight=(1024,)),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, logits: np.ndarray, target: np.ndarray, pos_weight: np.ndarray | None = None
    ) -> np.ndarray:
        x, y = np.asarray(logits, dtype=np.float64), np.asarray(target, dtype=np.float64)
        w = 1.0 if pos_weight is None else np.asarray(pos_weight, dtype=np.float64)
        # -log σ(x) = softplus(-x), -log(1 - σ(x)) = softplus(x), softplus(z) = max(z, 0) + tail.
        tail = np.log1p(np.exp(-np.abs(x)))
        loss = w * y * (np.maximum(-x, 0) + tail) + (1 - y) * (np.maximum(x, 0) + tail)
        return np.asarray(loss.mean(), dtype=F32)

    def oracle(
        self, logits: np.ndarray, target: np.ndarray, pos_weight: np.ndarray | None = None
    ) -> np.ndarray:
        def t(a: np.ndarray) -> torch.Tensor:
            return torch.tensor(a, dtype=torch.float64)

        loss = F.binary_cross_entropy_with_logits(
            t(logits), t(target), pos_weight=None if pos_weight is None else t(pos_weight)
        )
        return loss.numpy().astype(F32)
