"""conv2d_cost(c_in, c_out, kernel_size, h_out, w_out, groups=1, bias=True): parameters and
multiply-adds of one Conv2d layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from exercises.base import Exercise, HiddenCase, Inputs, Sample
from exercises.gen import ints, pair_or_int
from exercises.specs import IntTuple

IntOrPair = int | tuple[int, int]


class _Options(TypedDict, total=False):
    """conv2d_cost's keyword arguments."""

    groups: int
    bias: bool


def _fixed(
    c_in: int,
    c_out: int,
    kernel_size: IntOrPair,
    h_out: int,
    w_out: int,
    **kwargs: Unpack[_Options],
) -> Callable[[np.random.Generator], Inputs]:
    args = (c_in, c_out, kernel_size, h_out, w_out)
    return lambda rng: Inputs(args=args, kwargs=kwargs)


def _random(rng: np.random.Generator, *, valid: bool = True) -> Inputs:
    groups = ints(rng, 1, 8)
    c_in, c_out = groups * ints(rng, 1, 64), groups * ints(rng, 1, 64)
    if not valid:  # one channel count off by a non-multiple of groups
        groups = max(groups, 2)
        c_out = groups * ints(rng, 1, 64) + ints(rng, 1, groups - 1)
    size = ints(rng, 1, 128)
    kwargs = {"groups": groups, "bias": bool(rng.random() < 0.5)}
    return Inputs(
        args=(c_in, c_out, pair_or_int(rng, 1, 7), size, ints(rng, 1, 128)), kwargs=kwargs
    )


class ConvCost(Exercise):
    slug = "conv-cost"
    title_en = "Parameters and multiply-adds of a Conv2d"
    title_zh = "卷积层的参数量与乘加次数"
    entry_point = "conv2d_cost"
    topic = "cnn-architectures"
    cards = ("简述深度可分离卷积", "卷积神经网络是怎样减少参数的")
    difficulty = "easy"
    position = 26
    frameworks = ("python",)
    output = IntTuple()
    forbidden = (
        "torch.nn.Conv2d",
        "torch.nn.LazyConv2d",
        "torch.utils.flop_counter",
        "torch.profiler",
    )
    expected_exceptions = (ValueError,)
    samples = (
        Sample(
            "sample: 3 -> 64 channels, 3x3 kernel, 32x32 output", Inputs(args=(3, 64, 3, 32, 32))
        ),
        Sample(
            "sample: (1, 3) kernel without bias",
            Inputs(args=(16, 32, (1, 3), 8, 8), kwargs={"bias": False}),
        ),
    )
    hidden = (
        HiddenCase("VGG layer: 64 -> 128, 3x3, 112x112", _fixed(64, 128, 3, 112, 112)),
        HiddenCase("1x1 pointwise convolution", _fixed(256, 64, 1, 56, 56)),
        HiddenCase("(int, int) kernel and a non-square output", _fixed(24, 40, (5, 3), 17, 9)),
        HiddenCase("no bias", _fixed(32, 32, 3, 28, 28, bias=False)),
        HiddenCase("groups=4", _fixed(64, 128, 3, 28, 28, groups=4)),
        HiddenCase("depthwise: groups = c_in = c_out", _fixed(96, 96, 3, 56, 56, groups=96)),
        HiddenCase(
            "depthwise with multiplier 2, no bias", _fixed(32, 64, 5, 14, 14, groups=32, bias=False)
        ),
        HiddenCase("1x1 output map", _fixed(512, 1000, 7, 1, 1)),
        HiddenCase("random valid arguments, set 1", _random),
        HiddenCase("random valid arguments, set 2", _random),
        HiddenCase("random valid arguments, set 3", _random),
        HiddenCase("groups not dividing c_in raises ValueError", _fixed(30, 64, 3, 8, 8, groups=4)),
        HiddenCase(
            "groups dividing c_in but not c_out raises ValueError",
            _fixed(64, 30, 3, 8, 8, groups=4),
        ),
        HiddenCase(
            "groups larger than both counts raises ValueError", _fixed(8, 8, 1, 4, 4, groups=16)
        ),
        HiddenCase("random invalid groups raise ValueError", lambda rng: _random(rng, valid=False)),
    )

    def reference(
        self,
        c_in: int,
        c_out: int,
        kernel_size: IntOrPair,
        h_out: int,
        w_out: int,
        groups: int = 1,
        bias: bool = True,
    ) -> tuple[int, int]:
        kh, kw = tuple(kernel_size) if isinstance(kernel_size, tuple | list) else (kernel_size,) * 2
        if groups < 1 or c_in % groups or c_out % groups:
            raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
        # Each output channel sees only its group's c_in / groups input channels.
        per_output = (c_in // groups) * kh * kw
        return c_out * per_output + (c_out if bias else 0), c_out * h_out * w_out * per_output

    def oracle(
        self,
        c_in: int,
        c_out: int,
        kernel_size: IntOrPair,
        h_out: int,
        w_out: int,
        groups: int = 1,
        bias: bool = True,
    ) -> tuple[int, int]:
        """A real Conv2d on the meta device: its parameters counted, its FLOPs measured (2 per
        multiply-add, bias not counted) on an input that gives an (h_out, w_out) output."""
        conv = torch.nn.Conv2d(c_in, c_out, kernel_size, groups=groups, bias=bias, device="meta")
        kh, kw = conv.kernel_size
        x = torch.empty(1, c_in, h_out + kh - 1, w_out + kw - 1, device="meta")
        with FlopCounterMode(display=False) as counter:
            conv(x)
        return sum(p.numel() for p in conv.parameters()), counter.get_total_flops() // 2
