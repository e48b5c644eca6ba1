"""lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh): one step of an LSTM cell in nn.LSTMCell's layout."""

from __future__ import annotations

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32
from exercises.specs import Array, Tuple


def _lstm(
    rng: np.random.Generator,
    *,
    n: int,
    i: int,
    h: int,
    zero_state: bool = False,
    weight_scale: float | None = None,
    bias: np.ndarray | None = None,
    cell_scale: float = 1.0,
) -> Inputs:
    scale = 1.0 / np.sqrt(h) if weight_scale is None else weight_scale
    x = rng.standard_normal((n, i)).astype(F32)
    if zero_state:
        h0 = np.zeros((n, h), dtype=F32)
        c0 = np.zeros((n, h), dtype=F32)
    else:
        h0 = np.tanh(rng.standard_normal((n, h))).astype(F32)
        c0 = (rng.standard_normal((n, h)) * cell_scale).astype(F32)
    w_ih = rng.uniform(-scale, scale, size=(4 * h, i)).astype(F32)
    w_hh = rng.uniform(-scale, scale, size=(4 * h, h)).astype(F32)
    b_ih = rng.uniform(-scale, scale, size=4 * h).astype(F32) if bias is None else bias
    b_hh = rng.uniform(-scale, scale, size=4 * h).astype(F32)
    return Inputs(args=(x, h0, c0, w_ih, w_hh, b_ih, b_hh))


def _batch_of_one(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=1, i=5, h=4)


def _random_sizes(rng: np.random.Generator) -> Inputs:
    n, i, h = (int(v) for v in rng.integers(1, 17, size=3))
    return _lstm(rng, n=n, i=i, h=h)


def _zero_state(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=6, i=7, h=5, zero_state=True)


def _hidden_one(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=5, i=3, h=1)


def _input_one(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=4, i=1, h=6)


def _saturated(rng: np.random.Generator) -> Inputs:
    # Biases of magnitude 50 to 1e4 push every pre-activation far from 0: exp overflows in a
    # naive tanh, and the small input terms cannot move the result in float32.
    h = 8
    signs = rng.choice([-1.0, 1.0], size=4 * h)
    bias = (signs * rng.uniform(50.0, 1e4, size=4 * h)).astype(F32)
    return _lstm(rng, n=5, i=6, h=h, weight_scale=0.1, bias=bias)


def _large_weights(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=4, i=8, h=6, weight_scale=3.0)


def _large_cell(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=5, i=4, h=7, cell_scale=30.0)


def _bigger_batch(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=32, i=20, h=24)


def _performance(rng: np.random.Generator) -> Inputs:
    return _lstm(rng, n=128, i=256, h=256)


class LstmStep(Exercise):
    slug = "lstm-step"
    title_en = "One step of an LSTM cell"
    title_zh = "LSTM 单元的一步"
    entry_point = "lstm_step"
    topic = "rnn"
    cards = ("LSTM的基本原理是什么？", "简述LSTM(Long Short-Term Memory)")
    position = 5
    output = Tuple(Array(), Array(), names=("h_next", "c_next"))
    forbidden_ops = ("rnn",)
    forbidden = (
        "torch.nn.LSTMCell",
        "torch.nn.LSTM",
        "torch.nn.RNNCellBase",
        "torch.nn.RNNBase",
        "torch.lstm_cell",
        "torch.lstm",
        "torch._VF.lstm_cell",
        "torch._VF.lstm",
        "torch._C._VariableFunctions.lstm_cell",
        "torch._C._VariableFunctions.lstm",
        "torch._thnn_fused_lstm_cell",
        "torch.quantized_lstm_cell",
        "torch.ops.aten.lstm_cell",
        "torch.ops.aten.lstm",
    )
    samples = (
        Sample(
            name="sample: hidden size 1",
            inputs=Inputs(
                args=(
                    np.array([[1.0, -1.0]], dtype=F32),
                    np.array([[0.5]], dtype=F32),
                    np.array([[0.25]], dtype=F32),
                    np.array([[0.5, 0.25], [1.0, -1.0], [0.5, 0.5], [-0.5, 1.0]], dtype=F32),
                    np.array([[1.0], [0.5], [-1.0], [0.25]], dtype=F32),
                    np.array([0.0, 1.0, 0.0, 0.5], dtype=F32),
                    np.array([0.0, 0.0, 0.5, 0.0], dtype=F32),
                )
            ),
        ),
        Sample(
            name="sample: zero state, hidden size 2",
            inputs=Inputs(
                args=(
                    np.array([[1.0], [-2.0]], dtype=F32),
                    np.zeros((2, 2), dtype=F32),
                    np.zeros((2, 2), dtype=F32),
                    np.array([[1.0], [-1.0], [0.5], [2.0], [1.0], [0.0], [-0.5], [1.0]], dtype=F32),
                    np.zeros((8, 2), dtype=F32),
                    np.zeros(8, dtype=F32),
                    np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], dtype=F32),
                )
            ),
        ),
    )
    hidden = (
        HiddenCase("a batch of one", _batch_of_one),
        HiddenCase("random sizes", _random_sizes),
        HiddenCase("zero initial state", _zero_state),
        HiddenCase("hidden size 1", _hidden_one),
        HiddenCase("input size 1", _input_one),
        HiddenCase("stable for large pre-activations (saturated gates)", _saturated),
        HiddenCase("large weights", _large_weights),
        HiddenCase("large cell state", _large_cell),
        HiddenCase("larger batch against nn.LSTMCell", _bigger_batch),
    )
    performance = PerformanceTest(
        name="fast enough for N=128, I=256, H=256",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        x: np.ndarray,
        h: np.ndarray,
        c: np.ndarray,
        w_ih: np.ndarray,
        w_hh: np.ndarray,
        b_ih: np.ndarray,
        b_hh: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """torch.nn.LSTMCell itself, run in float64 with the given weights."""
        hidden_size = h.shape[1]
        cell = torch.nn.LSTMCell(x.shape[1], hidden_size, dtype=torch.float64)
        with torch.no_grad():
            for param, value in zip(
                (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh),
                (w_ih, w_hh, b_ih, b_hh),
                strict=True,
            ):
                param.copy_(torch.tensor(np.asarray(value), dtype=torch.float64))
            h_next, c_next = cell(
                torch.tensor(np.asarray(x), dtype=torch.float64),
                (
                    torch.tensor(np.asarray(h), dtype=torch.float64),
                    torch.tensor(np.asarray(c), dtype=torch.float64),
                ),
            )
        return h_next.numpy().astype(F32), c_next.numpy().astype(F32)
