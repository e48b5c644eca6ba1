"""mlp_backward(x, y, w1, b1, w2, b2): loss and gradients of a 2-layer ReLU MLP, by hand."""

from __future__ import annotations

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32
from exercises.specs import Array, Dict

KEYS = ("loss", "dw1", "db1", "dw2", "db2")


def _mlp(
    rng: np.random.Generator,
    *,
    n: int,
    d: int,
    h: int,
    c: int,
    w2_scale: float = 0.5,
    dead_units: int = 0,
    labels: np.ndarray | None = None,
) -> Inputs:
    # x and w1 live on grids of 1/4 and 1/8, so x @ w1 is a multiple of 1/32; b1 is an odd
    # multiple of 1/64, so every hidden pre-activation is an odd multiple of 1/64: exact in
    # float32, never 0 and at least 1/64 away from the ReLU kink. float32 and float64 agree on
    # which units are active, whatever the summation order.
    x = (rng.integers(-8, 9, size=(n, d)) / 4).astype(F32)
    w1 = (rng.integers(-4, 5, size=(d, h)) / 8).astype(F32)
    b1 = (rng.integers(-8, 8, size=h) / 16 + 1 / 64).astype(F32)
    if dead_units:
        b1[:dead_units] = -1000 - 1 / 64
    w2 = (rng.standard_normal((h, c)) * w2_scale).astype(F32)
    b2 = (rng.standard_normal(c) * 0.1).astype(F32)
    y = rng.integers(0, c, size=n).astype(np.int64) if labels is None else labels
    return Inputs(args=(x, y, w1, b1, w2, b2))


def _single_example(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=1, d=4, h=5, c=3)


def _random_sizes(rng: np.random.Generator) -> Inputs:
    n, d, h, c = (int(v) for v in rng.integers(2, 17, size=4))
    return _mlp(rng, n=n, d=d, h=h, c=c)


def _two_classes(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=16, d=6, h=8, c=2)


def _many_classes(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=20, d=8, h=12, c=50)


def _dead_units(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=12, d=5, h=10, c=4, dead_units=4)


def _large_logits(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=10, d=6, h=8, c=5, w2_scale=100.0)


def _one_label(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=9, d=4, h=6, c=4, labels=np.full(9, 2, dtype=np.int64))


def _wide_hidden(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=32, d=16, h=256, c=10)


def _size_one_hidden(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=8, d=1, h=1, c=3)


def _performance(rng: np.random.Generator) -> Inputs:
    return _mlp(rng, n=512, d=256, h=512, c=16)


class MlpBackprop(Exercise):
    slug = "mlp-backprop"
    title_en = "Backpropagation through a 2-layer MLP"
    title_zh = "两层 MLP 的反向传播"
    entry_point = "mlp_backward"
    topic = "optimization"
    cards = ("简述神经网络中的链式法则应用", "简述反向传播")
    difficulty = "hard"
    position = 4
    # A scalar loss in float64 is harmless; the gradients must be float32.
    output = Dict(
        {
            "loss": Array(dtype="float"),
            "dw1": Array(),
            "db1": Array(),
            "dw2": Array(),
            "db2": Array(),
        }
    )
    forbidden_ops = ("autograd",)
    forbidden = (
        "torch.autograd",
        "torch.Tensor.backward",
        "torch.func",
        "functorch",
    )
    samples = (
        Sample(
            name="sample: two examples",
            inputs=Inputs(
                args=(
                    np.array([[1.0, -1.0], [0.5, 2.0]], dtype=F32),
                    np.array([0, 1], dtype=np.int64),
                    np.array([[1.0, -0.5, 0.25], [0.5, 1.0, -1.0]], dtype=F32),
                    np.array([0.0, 0.5, -0.25], dtype=F32),
                    np.array([[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0]], dtype=F32),
                    np.array([0.1, -0.1], dtype=F32),
                )
            ),
        ),
        Sample(
            name="sample: one example, three classes",
            inputs=Inputs(
                args=(
                    np.array([[2.0, 1.0]], dtype=F32),
                    np.array([2], dtype=np.int64),
                    np.array([[0.5, -1.0], [1.0, 0.5]], dtype=F32),
                    np.array([0.0, 1.0], dtype=F32),
                    np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 0.0]], dtype=F32),
                    np.array([0.0, 0.0, 0.0], dtype=F32),
                )
            ),
        ),
    )
    hidden = (
        HiddenCase("a single example (N = 1)", _single_example),
        HiddenCase("random sizes", _random_sizes),
        HiddenCase("two classes", _two_classes),
        HiddenCase("50 classes", _many_classes),
        HiddenCase("dead ReLU units get zero gradient", _dead_units),
        HiddenCase("stable cross-entropy for large logits", _large_logits),
        HiddenCase("every label the same class", _one_label),
        HiddenCase("wide hidden layer (H = 256)", _wide_hidden),
        HiddenCase("one input feature and one hidden unit", _size_one_hidden),
    )
    performance = PerformanceTest(
        name="fast enough for N=512, D=256, H=512, C=16",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        x: np.ndarray,
        y: np.ndarray,
        w1: np.ndarray,
        b1: np.ndarray,
        w2: np.ndarray,
        b2: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Autograd in float64 on the trusted side is the ground truth."""
        params = [
            torch.tensor(np.asarray(p), dtype=torch.float64, requires_grad=True)
            for p in (w1, b1, w2, b2)
        ]
        t_w1, t_b1, t_w2, t_b2 = params
        t_x = torch.tensor(np.asarray(x), dtype=torch.float64)
        t_y = torch.tensor(np.asarray(y), dtype=torch.int64)
        with torch.enable_grad():
            hidden = torch.relu(t_x @ t_w1 + t_b1)
            loss = torch.nn.functional.cross_entropy(hidden @ t_w2 + t_b2, t_y)
            grads = torch.autograd.grad(loss, params)
        result = {"loss": np.asarray(loss.detach().numpy(), dtype=F32)}
        for key, grad in zip(KEYS[1:], grads, strict=True):
            result[key] = grad.numpy().astype(F32)
        return result
