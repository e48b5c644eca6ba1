"""batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
F.batch_norm's output and its updated running statistics."""

from __future__ import annotations

from typing import TypedDict, Unpack

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, ints, normal, positive, sizes, uniform
from exercises.specs import Array, Tuple


class _Options(TypedDict, total=False):
    """batch_norm's keyword arguments."""

    momentum: float
    eps: float


def _bn(
    rng: np.random.Generator,
    size: Shape,
    training: bool,
    *,
    affine: tuple[bool, bool] = (True, True),
    **kwargs: Unpack[_Options],
) -> Inputs:
    """x with a random mean (±3) and scale (0.5 to 2) per channel, random running statistics
    unlike the batch's, weight in ±1.5 and bias ~ N(0, 0.5²) unless `affine` says None."""
    c = size[1]
    per_channel = (1, c) + (1,) * (len(size) - 2)
    scale, offset = positive(rng, per_channel), uniform(rng, per_channel, -3, 3)
    x = (normal(rng, size) * scale + offset).astype(F32)
    rm, rv = normal(rng, (c,)), positive(rng, (c,), 0.25, 4.0)
    w = uniform(rng, (c,), -1.5, 1.5) if affine[0] else None
    b = normal(rng, (c,), 0.5) if affine[1] else None
    return Inputs(args=(x, rm, rv, w, b, training), kwargs=kwargs)


def _random(rng: np.random.Generator) -> Inputs:
    n, c, h, w = sizes(rng, 4, low=2, high=6)
    return _bn(rng, (n, c, h, w) if rng.random() < 0.5 else (n, c), bool(rng.random() < 0.5))


def _sample(training: bool) -> Inputs:
    x = np.array([[1, 0, 4], [3, 2, -4], [2, 1, 0], [6, -3, 0]], dtype=F32)
    rm, rv = np.array([0, 1, 0], dtype=F32), np.array([1, 4, 0.25], dtype=F32)
    w, b = np.array([1, 2, 0.5], dtype=F32), np.array([0, -1, 1], dtype=F32)
    return Inputs(args=(x, rm, rv, w, b, training))


class BatchNorm(Exercise):
    slug = "batch-norm"
    title_en = "Batch normalisation with running statistics"
    title_zh = "批量归一化（BatchNorm）与滑动统计量"
    entry_point = "batch_norm"
    topic = "regularization"
    cards = ("简述batch normalization", "简述批量归一化 & 层归一化")
    difficulty = "medium"
    position = 17
    rtol = 1e-4
    atol = 1e-5
    output = Tuple(Array(), Array(), Array(), names=("y", "running_mean", "running_var"))
    forbidden_ops = ("batch_norm", "layer_norm")
    forbidden = (
        "torch.nn.functional.batch_norm",
        "torch.batch_norm",
        "torch.native_batch_norm",
        "torch._native_batch_norm_legit",
        "torch.nn.BatchNorm1d",
        "torch.nn.BatchNorm2d",
        "torch.nn.LazyBatchNorm1d",
        "torch.nn.LazyBatchNorm2d",
        "torch.nn.SyncBatchNorm",
        "torch.nn.functional.instance_norm",
        "torch.instance_norm",
        "torch.nn.functional.group_norm",
        "torch.group_norm",
        "torch.nn.functional.layer_norm",
        "torch.layer_norm",
    )
    samples = (
        Sample(name="sample: training, (N, C)", inputs=_sample(True)),
        Sample(name="sample: eval, (N, C)", inputs=_sample(False)),
    )
    hidden = (
        HiddenCase(
            "training, (N, C)", lambda rng: _bn(rng, (ints(rng, 4, 32), ints(rng, 1, 8)), True)
        ),
        HiddenCase("training, (N, C, H, W)", lambda rng: _bn(rng, (4, 3, 5, 6), True)),
        HiddenCase("eval, (N, C)", lambda rng: _bn(rng, (10, 5), False)),
        HiddenCase("eval, (N, C, H, W)", lambda rng: _bn(rng, (3, 4, 2, 5), False)),
        HiddenCase(
            "training, momentum=0.3, eps=0.01",
            lambda rng: _bn(rng, (8, 4, 3, 3), True, momentum=0.3, eps=0.01),
        ),
        HiddenCase(
            "training, momentum=1: running stats become the batch's",
            lambda rng: _bn(rng, (6, 4), True, momentum=1.0),
        ),
        HiddenCase("eval, eps=0.1", lambda rng: _bn(rng, (5, 3, 4, 4), False, eps=0.1)),
        HiddenCase(
            "weight and bias None", lambda rng: _bn(rng, (7, 3, 2, 2), True, affine=(False, False))
        ),
        HiddenCase("a batch of two", lambda rng: _bn(rng, (2, 6), True)),
        HiddenCase("one image (N = 1, 4-D)", lambda rng: _bn(rng, (1, 3, 4, 4), True)),
        HiddenCase("1x1 spatial size", lambda rng: _bn(rng, (9, 4, 1, 1), True)),
        HiddenCase("random shape and mode", _random),
    )
    performance = PerformanceTest(
        name="fast enough on a (64, 32, 32, 32) input",
        make=lambda rng: _bn(rng, (64, 32, 32, 32), True),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        x: np.ndarray,
        running_mean: np.ndarray,
        running_var: np.ndarray,
        weight: np.ndarray | None,
        bias: np.ndarray | None,
        training: bool,
        momentum: float = 0.1,
        eps: float = 1e-5,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x64 = np.asarray(x, np.float64)
        axes = (0,) + tuple(range(2, x64.ndim))
        per_channel = (1, -1) + (1,) * (x64.ndim - 2)
        rm, rv = np.asarray(running_mean, np.float64), np.asarray(running_var, np.float64)
        if training:
            mean, var = x64.mean(axis=axes), x64.var(axis=axes)
            n = x64.size // x64.shape[1]
            rm = (1 - momentum) * rm + momentum * mean
            rv = (1 - momentum) * rv + momentum * var * n / (n - 1)
        else:
            mean, var = rm, rv
        y = (x64 - mean.reshape(per_channel)) / np.sqrt(var.reshape(per_channel) + eps)
        if weight is not None:
            y = y * np.asarray(weight, np.float64).reshape(per_channel)
        if bias is not None:
            y = y + np.asarray(bias, np.float64).reshape(per_channel)
        return y.astype(F32), rm.astype(F32), rv.astype(F32)

    def oracle(
        self,
        x: np.ndarray,
        running_mean: np.ndarray,
        running_var: np.ndarray,
        weight: np.ndarray | None,
        bias: np.ndarray | None,
        training: bool,
        momentum: float = 0.1,
        eps: float = 1e-5,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """F.batch_norm in float64 updating real running buffers in place."""

        def t(a: np.ndarray) -> torch.Tensor:
            return torch.tensor(np.asarray(a), dtype=torch.float64)

        def t_or_none(a: np.ndarray | None) -> torch.Tensor | None:
            return None if a is None else t(a)

        rm, rv = t(running_mean), t(running_var)
        y = F.batch_norm(t(x), rm, rv, t_or_none(weight), t_or_none(bias), training, momentum, eps)
        return y.numpy().astype(F32), rm.numpy().astype(F32), rv.numpy().astype(F32)
