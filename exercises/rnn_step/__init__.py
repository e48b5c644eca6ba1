"""rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"): one step of nn.RNNCell."""

from __future__ import annotations

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, normal, sizes, uniform


def _rnn(
    rng: np.random.Generator,
    n: int,
    i: int,
    h: int,
    nl: str | None = None,
    *,
    zero: bool = False,
    bias: bool = True,
    scale: float | None = None,
    big_bias: bool = False,
) -> Inputs:
    s = 1.0 / np.sqrt(h) if scale is None else scale
    b_ih, b_hh = (uniform(rng, (h,), -s, s) if bias else None for _ in range(2))
    if big_bias:  # pre-activations of magnitude 50 to 1e4: saturated tanh, large relu
        b_ih = (rng.choice([-1.0, 1.0], h) * rng.uniform(50.0, 1e4, h)).astype(F32)
    h0 = np.zeros((n, h), F32) if zero else uniform(rng, (n, h))
    args = (normal(rng, (n, i)), h0, uniform(rng, (h, i), -s, s), uniform(rng, (h, h), -s, s))
    return Inputs(args=(*args, b_ih, b_hh), kwargs={} if nl is None else {"nonlinearity": nl})


def _n_i_h(rng: np.random.Generator, low: int = 1) -> tuple[int, int, int]:
    """Random (N, I, H), each in [low, 16]."""
    n, i, h = sizes(rng, 3, low)
    return n, i, h


def _f32(rows: list[float] | list[list[float]]) -> np.ndarray:
    return np.array(rows, dtype=F32)


class RnnStep(Exercise):
    slug = "rnn-step"
    title_en = "One step of an Elman RNN cell"
    title_zh = "RNN 单元的一步"
    entry_point = "rnn_step"
    topic = "rnn"
    cards = ("简述RNN Cell", "简述循环神经网络 RNN")
    difficulty = "easy"
    position = 28
    rtol, atol = 1e-4, 1e-5
    forbidden_ops = ("rnn",)
    forbidden = (
        "torch.nn.RNNCell",
        "torch.nn.RNN",
        "torch.nn.RNNCellBase",
        "torch.nn.RNNBase",
        "torch.rnn_tanh_cell",
        "torch.rnn_relu_cell",
        "torch.rnn_tanh",
        "torch.rnn_relu",
        "torch._VF.rnn_tanh_cell",
        "torch._VF.rnn_relu_cell",
        "torch._C._VariableFunctions.rnn_tanh_cell",
        "torch._C._VariableFunctions.rnn_relu_cell",
        "torch.ops.aten.rnn_tanh_cell",
        "torch.ops.aten.rnn_relu_cell",
    )
    samples = (
        Sample(
            "sample: one sequence, hidden size 2",
            Inputs(
                args=(
                    _f32([[1.0, -1.0]]),
                    _f32([[0.5, -0.5]]),
                    _f32([[0.5, 0.25], [-1.0, 1.0]]),
                    _f32([[1.0, 0.0], [0.5, -0.5]]),
                    _f32([0.0, 0.5]),
                    _f32([0.25, 0.0]),
                )
            ),
        ),
        Sample(
            "sample: batch of 2, zero state, tanh given explicitly",
            Inputs(
                args=(
                    _f32([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0]]),
                    np.zeros((2, 2), F32),
                    _f32([[0.5, 0.5, 0.0], [1.0, -0.5, 0.25]]),
                    _f32([[1.0, 2.0], [3.0, 4.0]]),
                    _f32([0.0, -1.0]),
                    _f32([0.5, 0.5]),
                ),
                kwargs={"nonlinearity": "tanh"},
            ),
        ),
    )
    hidden = (
        HiddenCase("random sizes", lambda rng: _rnn(rng, *_n_i_h(rng))),
        HiddenCase("relu, random sizes", lambda rng: _rnn(rng, *_n_i_h(rng, 2), "relu")),
        HiddenCase("a batch of one", lambda rng: _rnn(rng, 1, 5, 4)),
        HiddenCase("hidden size 1, relu", lambda rng: _rnn(rng, 6, 3, 1, "relu")),
        HiddenCase("input size 1", lambda rng: _rnn(rng, 4, 1, 6)),
        HiddenCase("zero initial state, relu", lambda rng: _rnn(rng, 5, 7, 6, "relu", zero=True)),
        HiddenCase("no biases (None)", lambda rng: _rnn(rng, 5, 4, 3, bias=False)),
        HiddenCase("input size equals hidden size", lambda rng: _rnn(rng, 3, 8, 8, "tanh")),
        HiddenCase("stable for saturated tanh", lambda rng: _rnn(rng, 5, 6, 8, big_bias=True)),
        HiddenCase(
            "large relu pre-activations", lambda rng: _rnn(rng, 4, 5, 8, "relu", big_bias=True)
        ),
        HiddenCase(
            "larger batch, large weights, relu",
            lambda rng: _rnn(rng, 64, 32, 48, "relu", scale=2.0),
        ),
    )
    performance = PerformanceTest(
        name="fast enough for N=1024, I=256, H=256",
        make=lambda rng: _rnn(rng, 1024, 256, 256),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        x: np.ndarray,
        h: np.ndarray,
        w_ih: np.ndarray,
        w_hh: np.ndarray,
        b_ih: np.ndarray | None,
        b_hh: np.ndarray | None,
        nonlinearity: str = "tanh",
    ) -> np.ndarray:
        x, h, w_ih, w_hh = (np.asarray(a, dtype=np.float64) for a in (x, h, w_ih, w_hh))
        pre = x @ w_ih.T + h @ w_hh.T
        for b in (b_ih, b_hh):
            pre = pre if b is None else pre + np.asarray(b, dtype=np.float64)
        out = np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0.0)
        return out.astype(F32)

    def oracle(
        self,
        x: np.ndarray,
        h: np.ndarray,
        w_ih: np.ndarray,
        w_hh: np.ndarray,
        b_ih: np.ndarray | None,
        b_hh: np.ndarray | None,
        nonlinearity: str = "tanh",
    ) -> np.ndarray:
        """nn.RNNCell itself in float64, loaded with the given weights (zeros for None biases)."""
        cell = torch.nn.RNNCell(x.shape[1], h.shape[1], nonlinearity=nonlinearity).double()
        with torch.no_grad():
            for param, value in zip(cell.parameters(), (w_ih, w_hh, b_ih, b_hh), strict=True):
                param.copy_(torch.zeros_like(param) if value is None else torch.tensor(value))
            out = cell(torch.tensor(x, dtype=torch.float64), torch.tensor(h, dtype=torch.float64))
        return out.numpy().astype(F32)
