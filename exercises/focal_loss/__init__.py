"""focal_loss(logits, target, gamma=2.0, alpha=0.25): binary focal loss, as torchvision's
sigmoid_focal_loss(reduction="mean")."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, binary, large_logits, normal, shape
from exercises.specs import Array, non_negative


def _case(
    rng: np.random.Generator, size: Shape, logits: np.ndarray | None = None, **kwargs: float
) -> Inputs:
    """kwargs: gamma and alpha."""
    x = normal(rng, size, scale=3.0) if logits is None else logits
    return Inputs(args=(x, binary(rng, size, p=0.3)), kwargs=kwargs)


def _random_rank(rng: np.random.Generator) -> Inputs:
    return _case(rng, shape(rng, rank=int(rng.integers(1, 5)), high=6), gamma=1.0, alpha=0.6)


def _sample(
    logits: list[float] | list[list[float]], target: list[int] | list[list[int]], **kwargs: float
) -> Inputs:
    return Inputs(args=(np.array(logits, dtype=F32), np.array(target, dtype=F32)), kwargs=kwargs)


class FocalLoss(Exercise):
    slug = "focal-loss"
    title_en = "Binary focal loss"
    title_zh = "二元 Focal Loss"
    entry_point = "focal_loss"
    topic = "losses"
    cards = ("怎么解决数据集中正负样本不均衡的现象",)
    difficulty = "medium"
    position = 12
    rtol = 1e-4
    atol = 1e-6  # focal losses are small: (1 - p_t)^γ shrinks the easy examples' share
    output = Array(dtype="float", properties=(non_negative(),))
    forbidden_ops = ("binary_cross_entropy",)
    forbidden = (
        "torchvision.ops.sigmoid_focal_loss",
        "torchvision.ops.focal_loss",
        "torch.nn.functional.binary_cross_entropy_with_logits",
        "torch.binary_cross_entropy_with_logits",
        "torch.nn.BCEWithLogitsLoss",
        "torch.nn.functional.binary_cross_entropy",
        "torch.nn.BCELoss",
    )
    samples = (
        Sample(
            "sample: default gamma and alpha",
            _sample([[2.0, -1.0, 0.5], [-0.5, 3.0, -2.0]], [[1, 0, 0], [1, 1, 0]]),
        ),
        Sample(
            "sample: gamma=1, alpha=0.5",
            _sample([1.0, -2.0, 0.0, 4.0], [1, 1, 0, 0], gamma=1.0, alpha=0.5),
        ),
    )
    hidden = (
        HiddenCase("random sizes, default gamma and alpha", lambda rng: _case(rng, (12, 9))),
        HiddenCase("gamma=0: alpha-weighted BCE", lambda rng: _case(rng, (10, 6), gamma=0.0)),
        HiddenCase(
            "gamma=0, alpha=-1: plain BCE", lambda rng: _case(rng, (30,), gamma=0.0, alpha=-1.0)
        ),
        HiddenCase("alpha=-1 disables weighting", lambda rng: _case(rng, (8, 8), alpha=-1.0)),
        HiddenCase("gamma=1.5, alpha=0.75", lambda rng: _case(rng, (7, 11), gamma=1.5, alpha=0.75)),
        HiddenCase("gamma=5", lambda rng: _case(rng, (16, 4), gamma=5.0)),
        HiddenCase("alpha=0: only negatives count", lambda rng: _case(rng, (9, 5), alpha=0.0)),
        HiddenCase("random rank and shape", _random_rank),
        HiddenCase(
            "stable for logits up to ±1e4",
            lambda rng: _case(rng, (12, 8), logits=large_logits(rng, (12, 8))),
        ),
    )
    performance = PerformanceTest(
        name="fast enough on a (1024, 1024) input",
        make=lambda rng: _case(rng, (1024, 1024)),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, logits: np.ndarray, target: np.ndarray, gamma: float = 2.0, alpha: float = 0.25
    ) -> np.ndarray:
        x, y = np.asarray(logits, dtype=np.float64), np.asarray(target, dtype=np.float64)
        tail = np.log1p(np.exp(-np.abs(x)))
        ce = np.maximum(x, 0) - x * y + tail  # BCE from logits, never log 0
        p = np.exp(-(np.maximum(-x, 0) + tail))  # sigmoid(x) = exp(log sigmoid(x))
        p_t = p * y + (1 - p) * (1 - y)
        loss = ce * (1 - p_t) ** gamma
        if alpha >= 0:
            loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
        return np.asarray(loss.mean(), dtype=F32)

    def oracle(
        self, logits: np.ndarray, target: np.ndarray, gamma: float = 2.0, alpha: float = 0.25
    ) -> np.ndarray:
        """torchvision.ops.sigmoid_focal_loss (not installed), line for line, in float64."""
        inputs = torch.tensor(logits, dtype=torch.float64)
        targets = torch.tensor(target, dtype=torch.float64)
        p = torch.sigmoid(inputs)
        ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        if alpha >= 0:
            alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
            loss = alpha_t * loss
        return loss.mean().numpy().astype(F32)
