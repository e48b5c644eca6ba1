"""multiclass_hinge_loss(scores, target, margin=1.0): the multi-class hinge loss of
F.multi_margin_loss (p=1, no weights): violations summed over j != y, divided by C."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, I64, grid, labels, normal, sizes, uniform
from exercises.specs import Array, non_negative


def _case(
    rng: np.random.Generator,
    n: int,
    c: int,
    scores: np.ndarray | None = None,
    **kwargs: float,
) -> Inputs:
    s = normal(rng, (n, c), scale=1.5) if scores is None else scores
    return Inputs(args=(s, labels(rng, n, c)), kwargs=kwargs)


def _n_c(rng: np.random.Generator, high: int) -> tuple[int, int]:
    """Random (N, C), each in [2, high]."""
    n, c = sizes(rng, 2, 2, high)
    return n, c


def _sample(scores: list[list[float]], target: list[int]) -> Inputs:
    return Inputs(args=(np.array(scores, dtype=F32), np.array(target, dtype=I64)))


class MulticlassHinge(Exercise):
    slug = "multiclass-hinge"
    title_en = "Multi-class hinge loss"
    title_zh = "多分类 Hinge 损失"
    entry_point = "multiclass_hinge_loss"
    topic = "losses"
    cards = ("简述Hinge损失",)
    difficulty = "easy"
    position = 13
    rtol = 1e-4
    atol = 1e-5
    output = Array(dtype="float", properties=(non_negative(),))
    forbidden_ops = ("multi_margin",)
    forbidden = (
        "torch.nn.functional.multi_margin_loss",
        "torch.nn.MultiMarginLoss",
        "torch._C._nn.multi_margin_loss",
    )
    samples = (
        Sample("sample: the PyTorch documentation example", _sample([[0.1, 0.2, 0.4, 0.8]], [3])),
        Sample("sample: two examples", _sample([[1.0, 2.0, 0.0], [0.5, -0.5, 0.2]], [0, 2])),
    )
    hidden = (
        HiddenCase("random sizes", lambda rng: _case(rng, *_n_c(rng, 30))),
        HiddenCase("a single example (N = 1)", lambda rng: _case(rng, 1, 6)),
        HiddenCase("two classes (C = 2)", lambda rng: _case(rng, 20, 2)),
        HiddenCase("one class (C = 1): zero loss", lambda rng: _case(rng, 5, 1)),
        HiddenCase("many classes (C = 500)", lambda rng: _case(rng, 6, 500)),
        HiddenCase("margin=0.5", lambda rng: _case(rng, 12, 5, margin=0.5)),
        HiddenCase("margin=0: only violations count", lambda rng: _case(rng, 12, 7, margin=0.0)),
        HiddenCase("margin=2.5", lambda rng: _case(rng, 9, 4, margin=2.5)),
        HiddenCase(
            "scores on a grid: terms exactly at the hinge",
            lambda rng: _case(rng, 16, 6, grid(rng, (16, 6), low=-4, high=4, step=0.5)),
        ),
        HiddenCase(
            "scores up to ±1e4", lambda rng: _case(rng, 10, 8, uniform(rng, (10, 8), -1e4, 1e4))
        ),
    )
    performance = PerformanceTest(
        name="fast enough for N=65536, C=32",
        make=lambda rng: _case(rng, 65536, 32, margin=0.7),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(self, scores: np.ndarray, target: np.ndarray, margin: float = 1.0) -> np.ndarray:
        s = np.asarray(scores, dtype=np.float64)
        rows = np.arange(len(target))
        hinge = np.maximum(0.0, margin - s[rows, target][:, None] + s)
        hinge[rows, target] = 0.0  # j = y is no violation
        return np.asarray(hinge.sum(axis=1).mean() / s.shape[1], dtype=F32)

    def oracle(self, scores: np.ndarray, target: np.ndarray, margin: float = 1.0) -> np.ndarray:
        loss = F.multi_margin_loss(
            torch.tensor(scores, dtype=torch.float64), torch.tensor(target), margin=margin
        )
        return loss.numpy().astype(F32)
