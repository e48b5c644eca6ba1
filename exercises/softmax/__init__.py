"""softmax(x, dim=-1): a numerically stable softmax along any dimension."""

from __future__ import annotations

import numpy as np

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, shape
from exercises.gen import normal as _gen_normal
from exercises.specs import Array, sums_to_one


def _normal(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    return _gen_normal(rng, size, scale=3.0)


def _two_d(rng: np.random.Generator) -> Inputs:
    return Inputs(args=(_normal(rng, shape(rng, rank=2, low=2, high=9)),))


def _dim0_3d(rng: np.random.Generator) -> Inputs:
    return Inputs(args=(_normal(rng, shape(rng, rank=3, low=2, high=6)),), kwargs={"dim": 0})


def _dim1_4d(rng: np.random.Generator) -> Inputs:
    return Inputs(args=(_normal(rng, (2, 5, 3, 4)),), kwargs={"dim": 1})


def _negative_dim(rng: np.random.Generator) -> Inputs:
    return Inputs(args=(_normal(rng, (3, 6, 4)),), kwargs={"dim": -2})


def _one_d(rng: np.random.Generator) -> Inputs:
    return Inputs(args=(_normal(rng, (int(rng.integers(5, 20)),)),))


def _size_one_axis(rng: np.random.Generator) -> Inputs:
    return Inputs(args=(_normal(rng, (4, 1, 3)),), kwargs={"dim": 1})


def _large_logits(rng: np.random.Generator) -> Inputs:
    x = rng.uniform(-1e4, 1e4, size=(6, 10)).astype(F32)
    # Near-ties at the top make the probabilities non-trivial despite the huge range.
    x[:, 1] = x.max(axis=1) - rng.uniform(0, 3, size=6).astype(F32)
    x[0, :] = 1e4
    x[1, :] = -1e4
    x[2, :5] = 1e4
    return Inputs(args=(x,))


def _neg_inf(rng: np.random.Generator) -> Inputs:
    x = _normal(rng, (5, 8))
    mask = rng.random((5, 8)) < 0.4
    mask[:, 0] = False  # every row keeps a finite entry
    x[mask] = -np.inf
    return Inputs(args=(x,), kwargs={"dim": -1})


def _neg_inf_dim0(rng: np.random.Generator) -> Inputs:
    x = rng.uniform(-1e4, 1e4, size=(7, 3, 2)).astype(F32)
    x[rng.random((7, 3, 2)) < 0.3] = -np.inf
    x[3] = 5.0
    return Inputs(args=(x,), kwargs={"dim": 0})


def _random_rank(rng: np.random.Generator) -> Inputs:
    rank = int(rng.integers(1, 6))
    size = shape(rng, rank=rank, low=1, high=5)
    dim = int(rng.integers(0, rank))
    return Inputs(args=(_normal(rng, size),), kwargs={"dim": dim})


def _performance(rng: np.random.Generator) -> Inputs:
    return Inputs(args=(_normal(rng, (512, 1024)),), kwargs={"dim": -1})


class Softmax(Exercise):
    slug = "softmax"
    title_en = "Numerically stable softmax"
    title_zh = "数值稳定的 softmax"
    entry_point = "softmax"
    topic = "activations"
    cards = ("softmax是什么？", "为什么使用softmax?")
    difficulty = "easy"
    position = 1
    rtol = 1e-4
    atol = 1e-6
    output = Array(properties=(sums_to_one("dim"),))
    forbidden_ops = ("softmax",)
    forbidden = (
        "torch.softmax",
        "torch.log_softmax",
        "torch.special.softmax",
        "torch.special.log_softmax",
        "torch.Tensor.softmax",
        "torch.Tensor.log_softmax",
        "torch.nn.functional.softmax",
        "torch.nn.functional.log_softmax",
        "torch.nn.functional.softmin",
        "torch.nn.functional.gumbel_softmax",
        "torch.nn.Softmax",
        "torch.nn.LogSoftmax",
        "torch.nn.Softmin",
        "torch.nn.Softmax2d",
        "torch._softmax",
        "torch._log_softmax",
        "scipy.special.softmax",
        "scipy.special.log_softmax",
    )
    samples = (
        Sample(
            name="sample: one row",
            inputs=Inputs(args=(np.array([[1.0, 2.0, 3.0]], dtype=F32),), kwargs={"dim": -1}),
        ),
        Sample(
            name="sample: dim=0",
            inputs=Inputs(args=(np.array([[0.0, 1.0], [2.0, 1.0]], dtype=F32),), kwargs={"dim": 0}),
        ),
        Sample(
            name="sample: large logits and -inf",
            inputs=Inputs(
                args=(np.array([[1000.0, 1000.0, -np.inf], [-1000.0, 0.0, 1000.0]], dtype=F32),),
                kwargs={"dim": -1},
            ),
        ),
    )
    hidden = (
        HiddenCase("2-D input, default dim", _two_d),
        HiddenCase("dim=0 on a 3-D input", _dim0_3d),
        HiddenCase("dim=1 on a 4-D input", _dim1_4d),
        HiddenCase("negative dim=-2", _negative_dim),
        HiddenCase("1-D input", _one_d),
        HiddenCase("size-1 axis along dim", _size_one_axis),
        HiddenCase("stable for large logits", _large_logits),
        HiddenCase("-inf entries get probability 0", _neg_inf),
        HiddenCase("large logits and -inf along dim=0", _neg_inf_dim0),
        HiddenCase("random rank and dim", _random_rank),
    )
    performance = PerformanceTest(
        name="fast enough on a (512, 1024) input",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(self, x: np.ndarray, dim: int = -1) -> np.ndarray:
        x64 = np.asarray(x, dtype=np.float64)
        shifted = x64 - np.max(x64, axis=dim, keepdims=True)
        e = np.exp(shifted)
        return (e / np.sum(e, axis=dim, keepdims=True)).astype(F32)
