"""sinusoidal_positional_encoding(length, d_model, base=10000.0): the Transformer's sin/cos table."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, ints


def _pe(
    length: int, d_model: int, *args: float, **kwargs: float
) -> Callable[[np.random.Generator], Inputs]:
    return lambda rng: Inputs(args=(length, d_model, *args), kwargs=kwargs)


class PositionalEncoding(Exercise):
    slug = "positional-encoding"
    title_en = "Sinusoidal positional encoding"
    title_zh = "正弦位置编码"
    entry_point = "sinusoidal_positional_encoding"
    topic = "attention"
    cards = ("简述位置编码公式", "为什么需要位置编码")
    difficulty = "easy"
    position = 31
    # The usual float32 code rounds the angle p / base^(2i/d): about 3e-4 off at position 2047,
    # the largest the tests use. Expected values are computed in float64.
    rtol, atol = 1e-4, 5e-4
    expected_exceptions = (ValueError,)
    # No torch or numpy routine builds this table; these packages ship ready-made ones.
    forbidden = ("transformers", "torchtune")
    samples = (
        Sample("sample: length 4, d_model 4", Inputs(args=(4, 4))),
        Sample("sample: length 3, d_model 6", Inputs(args=(3, 6))),
        Sample("sample: odd d_model raises ValueError", Inputs(args=(2, 5))),
    )
    hidden = (
        HiddenCase(
            "random sizes",
            lambda rng: Inputs(args=(ints(rng, 2, 64), 2 * ints(rng, 1, 32))),
        ),
        HiddenCase("length 1", _pe(1, 16)),
        HiddenCase("d_model 2", _pe(50, 2)),
        HiddenCase("positions up to 2047", _pe(2048, 64)),
        HiddenCase("d_model 1024", _pe(40, 1024)),
        HiddenCase("base=100.0", _pe(300, 32, base=100.0)),
        HiddenCase("base 2.0 given positionally", _pe(64, 16, 2.0)),
        HiddenCase("base=1e6, long sequence", _pe(2048, 128, base=1e6)),
        HiddenCase("odd d_model 7 raises ValueError", _pe(10, 7)),
        HiddenCase("d_model 1 raises ValueError", _pe(3, 1)),
    )
    performance = PerformanceTest(
        name="fast enough for length up to 2048, d_model 1024",
        # Each repetition its own input: a length just under 2048 and a random base.
        make=lambda rng: Inputs(args=(ints(rng, 1920, 2048), 1024, float(rng.uniform(5e3, 2e4)))),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def statement_values(self) -> dict[str, str]:
        # The inputs are ints, not arrays: state the table's size.
        d_model = self.performance.make(np.random.default_rng(0)).args[1]
        return {
            **super().statement_values(),
            "performance": f"`length` up to 2048, `d_model` {d_model}",
        }

    def reference(self, length: int, d_model: int, base: float = 10000.0) -> np.ndarray:
        if d_model % 2:
            raise ValueError(f"d_model must be even, got {d_model}")
        position = np.arange(length, dtype=np.float64)[:, None]
        angle = position / float(base) ** (np.arange(0, d_model, 2, dtype=np.float64) / d_model)
        table = np.empty((length, d_model), dtype=np.float64)
        table[:, 0::2], table[:, 1::2] = np.sin(angle), np.cos(angle)
        return table.astype(F32)

    def oracle(self, length: int, d_model: int, base: float = 10000.0) -> np.ndarray:
        """The formula entry by entry in torch float64: column j uses pair i = j // 2, sin when j
        is even, cos when odd."""
        if d_model % 2:
            raise ValueError("odd d_model")
        p = torch.arange(length, dtype=torch.float64)[:, None]
        j = torch.arange(d_model)[None, :]
        angle = p / torch.tensor(float(base), dtype=torch.float64) ** (
            (2 * (j // 2)).double() / d_model
        )
        return torch.where(j % 2 == 0, torch.sin(angle), torch.cos(angle)).numpy().astype(F32)
