"""gru_step(x, h, w_ih, w_hh, b_ih, b_hh): one step of nn.GRUCell (gates reset, update, new)."""

from __future__ import annotations

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, normal, sizes, uniform


def _gru(
    rng: np.random.Generator,
    n: int,
    i: int,
    h: int,
    *,
    zero: bool = False,
    bias: bool = True,
    scale: float | None = None,
    big_bias: bool = False,
) -> Inputs:
    s = 1.0 / np.sqrt(h) if scale is None else scale
    b_ih, b_hh = (uniform(rng, (3 * h,), -s, s) if bias else None for _ in range(2))
    if big_bias:  # every gate pre-activation of magnitude 50 to 1e4: saturated sigmoid and tanh
        b_ih = (rng.choice([-1.0, 1.0], 3 * h) * rng.uniform(50.0, 1e4, 3 * h)).astype(F32)
    h0 = np.zeros((n, h), F32) if zero else uniform(rng, (n, h))
    w = uniform(rng, (3 * h, i), -s, s), uniform(rng, (3 * h, h), -s, s)
    return Inputs(args=(normal(rng, (n, i)), h0, *w, b_ih, b_hh))


def _f32(rows: list[float] | list[list[float]]) -> np.ndarray:
    return np.array(rows, dtype=F32)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class GruStep(Exercise):
    slug = "gru-step"
    title_en = "One step of a GRU cell"
    title_zh = "GRU 单元的一步"
    entry_point = "gru_step"
    topic = "rnn"
    cards = ("简述GRU",)
    position = 29
    rtol, atol = 1e-4, 1e-5
    forbidden_ops = ("rnn",)
    forbidden = (
        "torch.nn.GRUCell",
        "torch.nn.GRU",
        "torch.nn.RNNCellBase",
        "torch.nn.RNNBase",
        "torch.gru_cell",
        "torch.gru",
        "torch._VF.gru_cell",
        "torch._VF.gru",
        "torch._C._VariableFunctions.gru_cell",
        "torch._C._VariableFunctions.gru",
        "torch._thnn_fused_gru_cell",
        "torch.quantized_gru_cell",
        "torch.ops.aten.gru_cell",
        "torch.ops.aten.gru",
    )
    samples = (
        Sample(
            "sample: hidden size 1",
            Inputs(
                args=(
                    _f32([[1.0, -1.0]]),
                    _f32([[0.5]]),
                    _f32([[0.5, 0.25], [1.0, -1.0], [-0.5, 1.0]]),
                    _f32([[1.0], [0.5], [2.0]]),
                    _f32([0.0, 0.5, 0.25]),
                    _f32([0.5, 0.0, 1.0]),
                )
            ),
        ),
        Sample(
            "sample: batch of 2, hidden size 2",
            Inputs(
                args=(
                    _f32([[1.0], [-2.0]]),
                    _f32([[0.5, -0.5], [0.0, 1.0]]),
                    _f32([[1.0], [-1.0], [0.5], [2.0], [1.0], [0.0]]),
                    _f32(
                        [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [-1.0, 0.0], [2.0, 1.0], [0.0, -1.0]]
                    ),
                    np.zeros(6, F32),
                    _f32([0.0, 0.0, 0.0, 0.0, -1.0, 0.5]),
                )
            ),
        ),
    )
    hidden = (
        HiddenCase("random sizes", lambda rng: _gru(rng, *sizes(rng, 3))),
        HiddenCase("a batch of one", lambda rng: _gru(rng, 1, 5, 4)),
        HiddenCase("hidden size 1", lambda rng: _gru(rng, 6, 3, 1)),
        HiddenCase("input size 1", lambda rng: _gru(rng, 4, 1, 6)),
        HiddenCase("zero initial state", lambda rng: _gru(rng, 5, 7, 6, zero=True)),
        HiddenCase("no biases (None)", lambda rng: _gru(rng, 5, 4, 3, bias=False)),
        HiddenCase("stable for saturated gates", lambda rng: _gru(rng, 5, 6, 8, big_bias=True)),
        HiddenCase("large weights", lambda rng: _gru(rng, 4, 8, 6, scale=3.0)),
        HiddenCase("larger batch", lambda rng: _gru(rng, 64, 32, 48)),
    )
    performance = PerformanceTest(
        name="fast enough for N=1024, I=128, H=128",
        make=lambda rng: _gru(rng, 1024, 128, 128),
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
    ) -> np.ndarray:
        x, h, w_ih, w_hh = (np.asarray(a, dtype=np.float64) for a in (x, h, w_ih, w_hh))
        gi, gh = x @ w_ih.T, h @ w_hh.T
        gi = gi if b_ih is None else gi + np.asarray(b_ih, dtype=np.float64)
        gh = gh if b_hh is None else gh + np.asarray(b_hh, dtype=np.float64)
        (i_r, i_z, i_n), (h_r, h_z, h_n) = np.split(gi, 3, axis=1), np.split(gh, 3, axis=1)
        r, z = _sigmoid(i_r + h_r), _sigmoid(i_z + h_z)
        n = np.tanh(i_n + r * h_n)  # the reset gate scales W_hn h + b_hn, bias included
        return ((1.0 - z) * n + z * h).astype(F32)

    def oracle(
        self,
        x: np.ndarray,
        h: np.ndarray,
        w_ih: np.ndarray,
        w_hh: np.ndarray,
        b_ih: np.ndarray | None,
        b_hh: np.ndarray | None,
    ) -> np.ndarray:
        """nn.GRUCell itself in float64, loaded with the given weights (zeros for None biases)."""
        cell = torch.nn.GRUCell(x.shape[1], h.shape[1]).double()
        with torch.no_grad():
            for param, value in zip(cell.parameters(), (w_ih, w_hh, b_ih, b_hh), strict=True):
                param.copy_(torch.zeros_like(param) if value is None else torch.tensor(value))
            out = cell(torch.tensor(x, dtype=torch.float64), torch.tensor(h, dtype=torch.float64))
        return out.numpy().astype(F32)
