"""linear_regression_step(x, y, w, b, lr, l2=0.0): one full-batch gradient-descent step on the
mean squared error plus an L2 penalty on w, gradients by hand."""

from __future__ import annotations

from functools import partial

import numpy as np
import numpy.typing as npt
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, normal, sizes
from exercises.specs import Array, Tuple, non_negative


def _linreg(
    rng: np.random.Generator,
    *,
    n: int | None = None,
    d: int | None = None,
    lr: float | None = None,
    perfect: bool = False,
    offset: float = 0.0,
    random: bool = False,
    l2: float | None = None,
) -> Inputs:
    """l2 None: the argument is left out (its default, 0)."""
    n_draw, d_draw = sizes(rng, 2, 2, 32)
    n, d = n or n_draw, d or d_draw
    x, w = normal(rng, (n, d)), normal(rng, (d,), 0.5)
    b = np.asarray(normal(rng, (), 0.5))
    target = (x @ w + b) if perfect else (x @ normal(rng, (d,)) + normal(rng, (n,), 0.3))
    y = (target + offset).astype(F32)
    lr = float(rng.uniform(0.01, 0.2)) if lr is None else lr
    if random:
        l2 = float(rng.choice([0.0, 0.01, 0.3]))
    kwargs = {} if l2 is None else {"l2": l2}
    return Inputs(args=(x, y, w, b, lr), kwargs=kwargs)


def _performance(rng: np.random.Generator) -> Inputs:
    return _linreg(rng, n=8192, d=256, l2=0.01)


def _arrays(*rows: npt.ArrayLike) -> tuple[np.ndarray, ...]:
    return tuple(np.array(row, dtype=F32) for row in rows)


class LinearRegressionStep(Exercise):
    slug = "linear-regression-step"
    title_en = "One gradient-descent step of linear regression"
    title_zh = "线性回归的一步梯度下降"
    entry_point = "linear_regression_step"
    topic = "ml-basics"
    cards = ("简述回归(regression)", "如何进行梯度下降呢")
    difficulty = "easy"
    position = 39
    rtol = 1e-4
    atol = 1e-5
    # A scalar loss in float64 is harmless; the parameters must stay float32.
    output = Tuple(
        Array(),
        Array(),
        Array(dtype="float", properties=(non_negative(),)),
        names=("new_w", "new_b", "loss_before"),
    )
    forbidden_ops = ("autograd",)
    forbidden = (
        "torch.autograd",
        "torch.Tensor.backward",
        "torch.func",
        "functorch",
        "torch.optim",
    )
    samples = (
        Sample(
            name="sample: two examples, one feature",
            inputs=Inputs(args=(*_arrays([[1.0], [2.0]], [2.0, 3.0], [0.5], 0.0), 0.1)),
        ),
        Sample(
            name="sample: three examples, two features",
            inputs=Inputs(
                args=(*_arrays([[1, 0], [0, 1], [1, 1]], [1.0, 2.0, 3.5], [0, 0], 0.5), 0.05)
            ),
        ),
    )
    hidden = (
        HiddenCase("one feature (D = 1)", partial(_linreg, d=1)),
        HiddenCase("one example (N = 1)", partial(_linreg, n=1)),
        HiddenCase("random sizes", partial(_linreg)),
        HiddenCase("L2 penalty on w", partial(_linreg, l2=0.1)),
        HiddenCase("large L2 penalty and learning rate", partial(_linreg, lr=0.4, l2=1.0)),
        HiddenCase("perfect fit: only the penalty moves w", partial(_linreg, perfect=True, l2=0.5)),
        HiddenCase("zero learning rate: parameters unchanged", partial(_linreg, lr=0.0, l2=0.1)),
        HiddenCase("targets far from zero (offset 100)", partial(_linreg, offset=100.0, lr=0.01)),
        HiddenCase("more features than examples", partial(_linreg, n=4, d=40, lr=0.02)),
        HiddenCase("random arguments", partial(_linreg, random=True)),
    )
    performance = PerformanceTest(
        name="fast enough for N=8192, D=256",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        x: np.ndarray,
        y: np.ndarray,
        w: np.ndarray,
        b: np.ndarray,
        lr: float,
        l2: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x, y, w, b = (np.asarray(a, dtype=np.float64) for a in (x, y, w, b))
        residual = x @ w + b - y
        loss = np.mean(residual**2) + l2 * np.sum(w**2)
        dw = 2 / len(y) * (x.T @ residual) + 2 * l2 * w
        db = 2 * np.mean(residual)
        return (
            np.asarray(w - lr * dw, dtype=F32),
            np.asarray(b - lr * db, dtype=F32),
            np.asarray(loss, dtype=F32),
        )

    def oracle(
        self,
        x: np.ndarray,
        y: np.ndarray,
        w: np.ndarray,
        b: np.ndarray,
        lr: float,
        l2: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Autograd in float64 on the same loss."""
        t_x, t_y = (torch.tensor(a, dtype=torch.float64) for a in (x, y))
        t_w, t_b = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (w, b))
        with torch.enable_grad():
            loss = ((t_x @ t_w + t_b - t_y) ** 2).mean() + l2 * (t_w**2).sum()
            dw, db = torch.autograd.grad(loss, (t_w, t_b))
        new_w, new_b, loss_value = (
            t.detach().numpy().astype(F32) for t in (t_w - lr * dw, t_b - lr * db, loss)
        )
        return new_w, new_b, loss_value
