"""softmax_backward(y, dy, dim=-1): the gradient of softmax from its output, by hand."""

from __future__ import annotations

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, normal, shape
from exercises.specs import Array


def _softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return (e / np.sum(e, axis=dim, keepdims=True)).astype(F32)


def _case(
    rng: np.random.Generator,
    size: Shape,
    dim: int | None = None,
    scale: float = 2.0,
    neg_inf: float = 0.0,
    dy: np.ndarray | None = None,
) -> Inputs:
    """y = softmax(x) along dim (computed in float64), dy standard normal unless given."""
    x = rng.standard_normal(size) * scale
    x[(rng.random(size) < neg_inf) & (np.arange(size[-1]) > 0)] = -np.inf  # last-axis rows only
    kwargs = {} if dim is None else {"dim": dim}
    return Inputs(
        args=(_softmax(x, -1 if dim is None else dim), normal(rng, size) if dy is None else dy),
        kwargs=kwargs,
    )


def _random_rank(rng: np.random.Generator) -> Inputs:
    rank = int(rng.integers(1, 6))
    return _case(rng, shape(rng, rank=rank, low=1, high=5), dim=int(rng.integers(-rank, rank)))


def _constant_dy(rng: np.random.Generator) -> Inputs:
    dy = np.repeat(normal(rng, (6, 1)), 9, axis=1)
    return _case(rng, (6, 9), dy=dy)


class SoftmaxBackward(Exercise):
    slug = "softmax-backward"
    title_en = "Softmax backward pass"
    title_zh = "softmax 的反向传播"
    entry_point = "softmax_backward"
    topic = "activations"
    cards = ("softmax是什么？", "简述神经网络中的链式法则应用")
    difficulty = "medium"
    position = 15
    rtol = 1e-4
    atol = 1e-6
    output = Array()
    forbidden_ops = ("autograd", "softmax")
    forbidden = (
        "torch.autograd",
        "torch.Tensor.backward",
        "torch.func",
        "functorch",
        "torch._softmax_backward_data",
    )
    samples = (
        Sample(
            name="sample: one row",
            inputs=Inputs(
                args=(
                    np.array([[0.5, 0.25, 0.25]], dtype=F32),
                    np.array([[1.0, 0.0, -1.0]], dtype=F32),
                )
            ),
        ),
        Sample(
            name="sample: two rows, one-hot upstream gradient",
            inputs=Inputs(
                args=(
                    np.array([[0.1, 0.2, 0.7], [0.25, 0.25, 0.5]], dtype=F32),
                    np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=F32),
                ),
                kwargs={"dim": -1},
            ),
        ),
    )
    hidden = (
        HiddenCase(
            "2-D input, default dim", lambda rng: _case(rng, shape(rng, rank=2, low=2, high=9))
        ),
        HiddenCase("dim=0 on a 3-D input", lambda rng: _case(rng, (5, 3, 4), dim=0)),
        HiddenCase("dim=1 on a 4-D input", lambda rng: _case(rng, (2, 6, 3, 4), dim=1)),
        HiddenCase("negative dim=-2", lambda rng: _case(rng, (3, 7, 4), dim=-2)),
        HiddenCase("1-D input", lambda rng: _case(rng, (int(rng.integers(5, 20)),))),
        HiddenCase("size-1 axis along dim: dx is 0", lambda rng: _case(rng, (4, 1, 3), dim=1)),
        HiddenCase(
            "peaked rows and exact zeros from -inf logits",
            lambda rng: _case(rng, (6, 10), scale=8.0, neg_inf=0.3),
        ),
        HiddenCase("dy constant along dim: dx is 0", _constant_dy),
        HiddenCase("long rows (4096 classes)", lambda rng: _case(rng, (3, 4096))),
        HiddenCase("random rank and dim", _random_rank),
    )
    performance = PerformanceTest(
        name="fast enough on a (1024, 2048) input",
        make=lambda rng: _case(rng, (1024, 2048)),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(self, y: np.ndarray, dy: np.ndarray, dim: int = -1) -> np.ndarray:
        y64, dy64 = np.asarray(y, np.float64), np.asarray(dy, np.float64)
        return (y64 * (dy64 - np.sum(y64 * dy64, axis=dim, keepdims=True))).astype(F32)

    def oracle(self, y: np.ndarray, dy: np.ndarray, dim: int = -1) -> np.ndarray:
        """Autograd of torch.softmax in float64 at x = log(y) (softmax(log y) = y)."""
        x = torch.log(torch.tensor(np.asarray(y), dtype=torch.float64)).requires_grad_()
        with torch.enable_grad():
            (grad,) = torch.autograd.grad(
                torch.softmax(x, dim=dim), x, torch.tensor(np.asarray(dy), dtype=torch.float64)
            )
        return grad.numpy().astype(F32)
