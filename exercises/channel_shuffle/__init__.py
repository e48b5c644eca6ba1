"""channel_shuffle(x, groups): ShuffleNet's channel shuffle, as nn.ChannelShuffle computes it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, normal, sizes


def _case(n: int, c: int, h: int, w: int, groups: int) -> Callable[[np.random.Generator], Inputs]:
    return lambda rng: Inputs(args=(normal(rng, (n, c, h, w)), groups))


def _random(rng: np.random.Generator) -> Inputs:
    n, groups, per_group, h, w = sizes(rng, 5, low=1, high=5)
    return Inputs(args=(normal(rng, (n, groups * per_group, h, w)), groups))


def _not_dividing(rng: np.random.Generator) -> Inputs:
    groups = int(rng.integers(3, 6))
    return Inputs(args=(normal(rng, (2, groups * 2 + 1, 3, 3)), groups))


def _arange(n: int, c: int, h: int = 1, w: int = 1) -> np.ndarray:
    return np.arange(n * c * h * w, dtype=F32).reshape(n, c, h, w)


class ChannelShuffle(Exercise):
    slug = "channel-shuffle"
    title_en = "Channel shuffle (ShuffleNet)"
    title_zh = "通道混洗（ShuffleNet）"
    entry_point = "channel_shuffle"
    topic = "cnn-architectures"
    cards = ("简述ShuffleNet", "简述ShuffleNet block")
    difficulty = "easy"
    position = 35
    # A shuffle only moves values: anything but an exact permutation is wrong.
    rtol = 0.0
    atol = 0.0
    forbidden_ops = ("channel_shuffle",)
    forbidden = (
        "torch.nn.ChannelShuffle",
        "torch.nn.functional.channel_shuffle",
        "torch.channel_shuffle",
        "torch.native_channel_shuffle",
    )
    expected_exceptions = (ValueError,)
    samples = (
        Sample("sample: 6 channels, 2 groups", Inputs(args=(_arange(1, 6), 2))),
        Sample("sample: 6 channels, 3 groups, 2x2 maps", Inputs(args=(_arange(1, 6, 2, 2), 3))),
    )
    hidden = (
        HiddenCase("random sizes and groups", _random),
        HiddenCase("batch of 4, 12 channels, 3 groups", _case(4, 12, 5, 3, 3)),
        HiddenCase("8 channels, 4 groups (C = 2g)", _case(2, 8, 4, 4, 4)),
        HiddenCase("15 channels, 5 groups", _case(3, 15, 2, 6, 5)),
        HiddenCase("groups = 1 leaves x unchanged", _case(2, 7, 3, 3, 1)),
        HiddenCase("groups = C leaves x unchanged", _case(2, 6, 2, 2, 6)),
        HiddenCase("one channel", _case(3, 1, 4, 4, 1)),
        HiddenCase("1x1 feature maps", _case(5, 12, 1, 1, 4)),
        HiddenCase("groups not dividing C raises ValueError", _not_dividing),
        HiddenCase("groups > C raises ValueError", _case(1, 4, 2, 2, 8)),
    )
    performance = PerformanceTest(
        name="fast enough on a (16, 96, 56, 56) input",
        make=_case(16, 96, 56, 56, 3),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(self, x: np.ndarray, groups: int) -> np.ndarray:
        n, c, *spatial = x.shape
        if c % groups:
            raise ValueError(f"groups={groups} does not divide {c} channels")
        grouped = np.asarray(x).reshape(n, groups, c // groups, *spatial)
        return np.ascontiguousarray(grouped.swapaxes(1, 2)).reshape(x.shape).astype(F32)

    def oracle(self, x: np.ndarray, groups: int) -> np.ndarray:
        try:
            return torch.nn.ChannelShuffle(groups)(torch.from_numpy(np.array(x))).numpy()
        except RuntimeError as exc:
            raise ValueError(str(exc)) from exc
