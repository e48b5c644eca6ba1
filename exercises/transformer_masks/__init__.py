"""transformer_mask(lengths, max_len, causal): padding (and causal) attention masks, True = may attend."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import I64


def _masks(
    n: int,
    max_len: int,
    causal: bool,
    *,
    low: int = 1,
    high: int | None = None,
    first: int | None = None,
    kw: bool = False,
) -> Callable[[np.random.Generator], Inputs]:
    """lengths drawn in [low, high] (high defaults to max_len); `first` sets lengths[0]."""

    def make(rng: np.random.Generator) -> Inputs:
        lengths = rng.integers(low, (max_len if high is None else high) + 1, size=n).astype(I64)
        if first is not None:
            lengths[0] = first
        if kw:
            return Inputs(args=(lengths,), kwargs={"max_len": max_len, "causal": causal})
        return Inputs(args=(lengths, max_len, causal))

    return make


def _lengths(*values: int) -> np.ndarray:
    return np.array(values, dtype=I64)


class TransformerMasks(Exercise):
    slug = "transformer-masks"
    title_en = "Padding and causal attention masks"
    title_zh = "填充掩码与因果掩码"
    entry_point = "transformer_mask"
    topic = "attention"
    cards = ("简述padding mask", "简述sequence mask", "为什么要Masked？")
    difficulty = "easy"
    position = 32
    forbidden = (
        "torch.nn.Transformer.generate_square_subsequent_mask",
        "torch.nn.modules.transformer._generate_square_subsequent_mask",
    )
    samples = (
        Sample("sample: padding only", Inputs(args=(_lengths(2, 3), 3, False))),
        Sample("sample: causal and padding", Inputs(args=(_lengths(1, 3), 3, True))),
    )
    hidden = (
        HiddenCase("padding only, random lengths", _masks(5, 9, False)),
        HiddenCase("causal and padding, random lengths", _masks(4, 10, True)),
        HiddenCase("causal, no padding", _masks(3, 7, True, low=7)),
        HiddenCase("no padding, not causal: all True", _masks(2, 6, False, low=6)),
        HiddenCase("a zero length (no key allowed)", _masks(4, 6, True, low=0, first=0)),
        HiddenCase("max_len 1", _masks(3, 1, True)),
        HiddenCase("a batch of one", _masks(1, 8, False, low=3)),
        HiddenCase("every sequence shorter than max_len", _masks(4, 12, True, high=8)),
        HiddenCase("keyword arguments, larger batch", _masks(32, 40, True, low=0, kw=True)),
    )
    performance = PerformanceTest(
        name="fast enough for N=16, max_len=256",
        make=_masks(16, 256, True),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(self, lengths: np.ndarray, max_len: int, causal: bool) -> np.ndarray:
        keys = np.arange(max_len)
        allowed = keys[None, None, :] < np.asarray(lengths, dtype=I64)[:, None, None]
        if causal:
            allowed = allowed & (keys[None, None, :] <= keys[None, :, None])
        return np.ascontiguousarray(np.broadcast_to(allowed, (len(lengths), max_len, max_len)))

    def oracle(self, lengths: np.ndarray, max_len: int, causal: bool) -> np.ndarray:
        """Every entry by brute force: query i of item n may see key j when j < lengths[n] and,
        if causal, j <= i."""
        rows = [
            [
                [j < int(length) and (not causal or j <= i) for j in range(max_len)]
                for i in range(max_len)
            ]
            for length in lengths
        ]
        return np.array(rows, dtype=bool).reshape(len(lengths), max_len, max_len)
