"""batch_norm_backward(dy, x, weight, eps=1e-5): gradients of training-mode batch norm, by hand."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, ints, normal, positive, uniform
from exercises.specs import Array, Tuple


def _bnb(
    rng: np.random.Generator,
    n: int,
    c: int,
    *,
    x: np.ndarray | None = None,
    scale: np.ndarray | float | None = None,
    offset: np.ndarray | float | None = None,
    eps: float | None = None,
    weight: np.ndarray | None = None,
    dy: np.ndarray | None = None,
) -> Inputs:
    """x with a random scale (0.5 to 2) and mean (±3) per channel unless given, weight in ±1.5,
    dy ~ N(0, 1)."""
    if x is None:
        scale = positive(rng, (1, c)) if scale is None else scale
        offset = uniform(rng, (1, c), -3, 3) if offset is None else offset
        x = (normal(rng, (n, c)) * scale + offset).astype(F32)
    weight = uniform(rng, (c,), -1.5, 1.5) if weight is None else weight
    dy = normal(rng, (n, c)) if dy is None else dy
    return Inputs(args=(dy, x, weight), kwargs={} if eps is None else {"eps": eps})


def _two(rng: np.random.Generator) -> Inputs:
    # N = 2 is ill-conditioned when the two values nearly coincide (x̂ = ±1 whatever x is, so dx
    # is a small difference of large terms): keep them 1 to 4 apart.
    d = uniform(rng, (1, 7), 0.5, 2) * rng.choice([-1, 1], size=(1, 7))
    centre = uniform(rng, (1, 7), -3, 3)
    return _bnb(rng, 2, 7, x=np.concatenate([centre + d, centre - d]).astype(F32))


def _constant_dy(rng: np.random.Generator) -> Inputs:
    return _bnb(rng, 12, 5, dy=np.repeat(normal(rng, (1, 5)), 12, axis=0))


def _zero_weights(rng: np.random.Generator) -> Inputs:
    return _bnb(rng, 10, 6, weight=np.array([0, -1, 2, 0, -0.5, 1], dtype=F32))


class BatchNormBackward(Exercise):
    slug = "batch-norm-backward"
    title_en = "Batch normalisation backward pass"
    title_zh = "批量归一化的反向传播"
    entry_point = "batch_norm_backward"
    topic = "regularization"
    cards = ("为什么需要BN", "简述batch normalization")
    difficulty = "hard"
    position = 18
    rtol = 1e-4
    # dweight and dbias are float32 sums over the batch (numpy adds the rows of an axis-0 sum one
    # by one), and inputs near 30 lose digits in float32.
    atol = 1e-4
    output = Tuple(Array(), Array(), Array(), names=("dx", "dweight", "dbias"))
    forbidden_ops = ("autograd", "batch_norm")
    forbidden = (
        "torch.autograd",
        "torch.Tensor.backward",
        "torch.func",
        "functorch",
    )
    samples = (
        Sample(
            name="sample: four examples, two channels",
            inputs=Inputs(
                args=(
                    np.array([[1, 0], [0, 1], [-1, 0], [0, 2]], dtype=F32),
                    np.array([[1, 2], [2, 0], [3, -2], [6, 0]], dtype=F32),
                    np.array([1, 0.5], dtype=F32),
                )
            ),
        ),
        Sample(
            name="sample: three examples, one channel",
            inputs=Inputs(
                args=(
                    np.array([[0.5], [-1], [2]], dtype=F32),
                    np.array([[1], [4], [-2]], dtype=F32),
                    np.array([2], dtype=F32),
                ),
                kwargs={"eps": 1e-5},
            ),
        ),
    )
    hidden = (
        HiddenCase("random sizes", lambda rng: _bnb(rng, ints(rng, 4, 64), ints(rng, 1, 16))),
        HiddenCase("a batch of two", _two),
        HiddenCase("one channel", lambda rng: _bnb(rng, 32, 1)),
        HiddenCase("non-default eps=0.5", lambda rng: _bnb(rng, 16, 4, eps=0.5)),
        HiddenCase(
            "tiny variance: eps matters", lambda rng: _bnb(rng, 16, 4, scale=1e-3, offset=0)
        ),
        HiddenCase("large batch (N = 1024)", lambda rng: _bnb(rng, 1024, 4)),
        HiddenCase(
            "inputs far from 0 (offset 30)", lambda rng: _bnb(rng, 24, 3, scale=1.0, offset=30)
        ),
        HiddenCase("dy constant over the batch: dx is 0", _constant_dy),
        HiddenCase("zero and negative weights", _zero_weights),
    )
    performance = PerformanceTest(
        name="fast enough for N=128, C=16384",
        make=lambda rng: _bnb(rng, 128, 16384),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, dy: np.ndarray, x: np.ndarray, weight: np.ndarray, eps: float = 1e-5
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dy64, x64 = np.asarray(dy, np.float64), np.asarray(x, np.float64)
        n = x64.shape[0]
        centred = x64 - x64.mean(axis=0)
        inv_std = 1 / np.sqrt((centred**2).mean(axis=0) + eps)
        x_hat = centred * inv_std
        dbias = dy64.sum(axis=0)
        dweight = (dy64 * x_hat).sum(axis=0)
        dx = np.asarray(weight, np.float64) * inv_std / n * (n * dy64 - dbias - x_hat * dweight)
        return dx.astype(F32), dweight.astype(F32), dbias.astype(F32)

    def oracle(
        self, dy: np.ndarray, x: np.ndarray, weight: np.ndarray, eps: float = 1e-5
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Autograd in float64 through F.batch_norm in training mode."""
        t_x, t_w = (torch.tensor(np.asarray(a), dtype=torch.float64) for a in (x, weight))
        leaves = [
            t_x.requires_grad_(),
            t_w.requires_grad_(),
            torch.zeros_like(t_w).requires_grad_(),
        ]
        with torch.enable_grad():
            y = F.batch_norm(leaves[0], None, None, leaves[1], leaves[2], True, 0.1, eps)
            grads = torch.autograd.grad(
                y, leaves, torch.tensor(np.asarray(dy), dtype=torch.float64)
            )
        dx, dweight, dbias = (g.numpy().astype(F32) for g in grads)
        return dx, dweight, dbias
