"""se_block(x, w1, b1, w2, b2): a squeeze-and-excitation block (SENet) on (N, C, H, W)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, normal, sizes


def _se(
    rng: np.random.Generator,
    n: int,
    c: int,
    hidden: int,
    h: int,
    w: int,
    *,
    offset: float = 0.0,
    b2_scale: float = 0.5,
) -> Inputs:
    x = normal(rng, (n, c, h, w)) + np.float32(offset)
    w1 = normal(rng, (hidden, c), scale=1.0 / np.sqrt(c))
    w2 = normal(rng, (c, hidden), scale=1.0 / np.sqrt(hidden))
    return Inputs(args=(x, w1, normal(rng, (hidden,), 0.5), w2, normal(rng, (c,), b2_scale)))


def _random(rng: np.random.Generator) -> Inputs:
    n, hidden, r, h, w = sizes(rng, 5, low=1, high=6)
    return _se(rng, n, hidden * r, hidden, h, w)


def _case(
    n: int,
    c: int,
    hidden: int,
    h: int,
    w: int,
    *,
    offset: float = 0.0,
    b2_scale: float = 0.5,
) -> Callable[[np.random.Generator], Inputs]:
    return lambda rng: _se(rng, n, c, hidden, h, w, offset=offset, b2_scale=b2_scale)


class SeBlock(Exercise):
    slug = "se-block"
    title_en = "Squeeze-and-excitation block"
    title_zh = "SE（挤压-激励）模块"
    entry_point = "se_block"
    topic = "cnn-architectures"
    cards = ("简述SENet", "简述squeeze 操作", "简述excitation 操作")
    difficulty = "easy"
    position = 34
    rtol = 1e-4
    atol = 1e-5
    forbidden = ("torchvision.ops.SqueezeExcitation", "torchvision")
    samples = (
        Sample(
            "sample: 2 channels, 2x2 maps",
            Inputs(
                args=(
                    np.array([[[[1, 2], [3, 4]], [[0, -2], [2, 4]]]], dtype=F32),
                    np.array([[0.5, -0.5]], dtype=F32),
                    np.array([0.25], dtype=F32),
                    np.array([[1.0], [-2.0]], dtype=F32),
                    np.array([0.0, 1.0], dtype=F32),
                )
            ),
        ),
        Sample(
            "sample: batch of 2, 4 channels, r = 2", _case(2, 4, 2, 3, 2)(np.random.default_rng(5))
        ),
    )
    hidden = (
        HiddenCase("random sizes and reduction", _random),
        HiddenCase("batch of 8, 16 channels, r = 4", _case(8, 16, 4, 5, 5)),
        HiddenCase("non-square maps", _case(3, 12, 3, 2, 7)),
        HiddenCase("1x1 maps", _case(4, 8, 2, 1, 1)),
        HiddenCase("one image", _case(1, 6, 3, 4, 4)),
        HiddenCase("r = 1 (no reduction)", _case(2, 5, 5, 3, 3)),
        HiddenCase("one hidden unit", _case(2, 10, 1, 3, 3)),
        HiddenCase("inputs offset by 100", _case(2, 8, 2, 4, 4, offset=100.0)),
        HiddenCase(
            "large excitation logits (sigmoid saturates)", _case(3, 8, 4, 3, 3, b2_scale=200.0)
        ),
    )
    performance = PerformanceTest(
        name="fast enough for N=16, C=256, H=W=28, C/r=16",
        make=_case(16, 256, 16, 28, 28),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray
    ) -> np.ndarray:
        x64, w1, b1, w2, b2 = (np.asarray(a, dtype=np.float64) for a in (x, w1, b1, w2, b2))
        squeezed = x64.mean(axis=(2, 3))
        hidden = np.maximum(squeezed @ w1.T + b1, 0.0)
        # 0.5 (1 + tanh(t / 2)) is the logistic function without exp overflow.
        scale = 0.5 * (1.0 + np.tanh((hidden @ w2.T + b2) / 2.0))
        return (x64 * scale[:, :, None, None]).astype(F32)

    def oracle(
        self, x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray
    ) -> np.ndarray:
        """PyTorch's pooling and two real nn.Linear layers, in float64."""
        x64, t_w1, t_b1, t_w2, t_b2 = (
            torch.tensor(np.array(a), dtype=torch.float64) for a in (x, w1, b1, w2, b2)
        )
        fc1 = torch.nn.Linear(t_w1.shape[1], t_w1.shape[0], dtype=torch.float64)
        fc2 = torch.nn.Linear(t_w2.shape[1], t_w2.shape[0], dtype=torch.float64)
        fc1.load_state_dict({"weight": t_w1, "bias": t_b1})
        fc2.load_state_dict({"weight": t_w2, "bias": t_b2})
        with torch.no_grad():
            pooled = F.adaptive_avg_pool2d(x64, 1).flatten(1)
            scale = torch.sigmoid(fc2(torch.relu(fc1(pooled))))
            return (x64 * scale[:, :, None, None]).numpy().astype(F32)
