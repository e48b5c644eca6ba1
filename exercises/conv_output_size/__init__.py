"""conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1), as nn.Conv2d computes it."""

from __future__ import annotations

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, Sample
from exercises.specs import IntTuple

IntOrPair = int | tuple[int, int]


def _pair(value: object, name: str) -> tuple[int, int]:
    """Validates as well: an argument outside the contract raises ValueError."""
    first, second = (
        tuple(value) if isinstance(value, tuple | list) and len(value) == 2 else (value, value)
    )
    if (
        isinstance(first, bool)
        or not isinstance(first, int)
        or isinstance(second, bool)
        or not isinstance(second, int)
    ):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return int(first), int(second)


def _maybe_pair(rng: np.random.Generator, a: int, b: int) -> int | tuple[int, int]:
    return a if a == b and rng.random() < 0.5 else (a, b)


def _valid(
    rng: np.random.Generator,
    *,
    size: tuple[int, int] = (8, 64),
    kernel: tuple[int, int] = (1, 7),
    stride: tuple[int, int] = (1, 3),
    padding: tuple[int, int] = (0, 3),
    dilation: tuple[int, int] = (1, 3),
    pairs: bool = False,
) -> Inputs:
    """Random arguments whose output is at least 1 in both dimensions."""
    while True:
        h, w = (int(n) for n in rng.integers(size[0], size[1] + 1, size=2))
        draw = {
            name: tuple(int(n) for n in rng.integers(low, high + 1, size=2 if pairs else 1))
            for name, (low, high) in {
                "kernel_size": kernel,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
            }.items()
        }
        values = {name: (v if len(v) == 2 else (v[0], v[0])) for name, v in draw.items()}
        ok = all(
            (n + 2 * p - d * (k - 1) - 1) // s + 1 >= 1
            for n, k, s, p, d in zip(
                (h, w),
                values["kernel_size"],
                values["stride"],
                values["padding"],
                values["dilation"],
                strict=True,
            )
        )
        if ok:
            break
    args = {name: (v if len(v) == 2 else v[0]) for name, v in draw.items()}
    return Inputs(
        args=(h, w, args["kernel_size"]),
        kwargs={"stride": args["stride"], "padding": args["padding"], "dilation": args["dilation"]},
    )


def _basic(rng: np.random.Generator) -> Inputs:
    return _valid(rng, stride=(1, 1), padding=(0, 0), dilation=(1, 1))


def _strided_padded(rng: np.random.Generator) -> Inputs:
    return _valid(rng, stride=(2, 2), padding=(1, 3), dilation=(1, 1))


def _pairs(rng: np.random.Generator) -> Inputs:
    return _valid(rng, kernel=(1, 7), stride=(1, 4), padding=(0, 0), dilation=(1, 1), pairs=True)


def _dilation(rng: np.random.Generator) -> Inputs:
    return _valid(rng, kernel=(3, 5), stride=(1, 2), padding=(0, 2), dilation=(2, 2))


def _pair_dilation_padding(rng: np.random.Generator) -> Inputs:
    return _valid(rng, kernel=(2, 5), stride=(1, 3), padding=(0, 4), dilation=(1, 4), pairs=True)


def _output_one(rng: np.random.Generator) -> Inputs:
    k = int(rng.integers(3, 8))
    d = int(rng.integers(1, 3))
    extent = d * (k - 1) + 1
    return Inputs(args=(extent, extent + 1, k), kwargs={"stride": 2, "padding": 0, "dilation": d})


def _big_stride(rng: np.random.Generator) -> Inputs:
    h, w = (int(n) for n in rng.integers(5, 12, size=2))
    return Inputs(args=(h, w, 3), kwargs={"stride": 20, "padding": 1, "dilation": 1})


def _random_valid(rng: np.random.Generator) -> Inputs:
    return _valid(
        rng,
        size=(1, 256),
        kernel=(1, 11),
        stride=(1, 5),
        padding=(0, 5),
        dilation=(1, 4),
        pairs=bool(rng.random() < 0.5),
    )


def _too_large(rng: np.random.Generator) -> Inputs:
    h, w = (int(n) for n in rng.integers(3, 8, size=2))
    return Inputs(args=(h, w, max(h, w) + 3), kwargs={"stride": 1, "padding": 0, "dilation": 1})


def _dilated_too_large(rng: np.random.Generator) -> Inputs:
    # Fits without dilation, not with it: an implementation ignoring dilation returns a size.
    k = 3
    h = int(rng.integers(4, 7))
    return Inputs(args=(h, h + 20, k), kwargs={"stride": 1, "padding": 0, "dilation": h})


def _zero_stride(rng: np.random.Generator) -> Inputs:
    h, w = (int(n) for n in rng.integers(8, 32, size=2))
    return Inputs(args=(h, w, 3), kwargs={"stride": (1, 0), "padding": 1, "dilation": 1})


def _negative_padding(rng: np.random.Generator) -> Inputs:
    h, w = (int(n) for n in rng.integers(8, 32, size=2))
    return Inputs(args=(h, w, 3), kwargs={"stride": 1, "padding": -1, "dilation": 1})


def _bad_kernel(rng: np.random.Generator) -> Inputs:
    h, w = (int(n) for n in rng.integers(8, 32, size=2))
    return Inputs(args=(h, w, (3, int(rng.integers(-2, 1)))), kwargs={"stride": 1, "padding": 0})


def _zero_dilation(rng: np.random.Generator) -> Inputs:
    h, w = (int(n) for n in rng.integers(8, 32, size=2))
    return Inputs(args=(h, w, 3), kwargs={"stride": 1, "padding": 0, "dilation": 0})


def _random_invalid(rng: np.random.Generator) -> Inputs:
    inputs = _valid(
        rng, size=(4, 64), kernel=(1, 5), stride=(1, 3), padding=(0, 2), dilation=(1, 2)
    )
    kwargs = dict(inputs.kwargs)
    args = list(inputs.args)
    choice = int(rng.integers(0, 4))
    if choice == 0:
        args[2] = -int(rng.integers(0, 3))
    elif choice == 1:
        kwargs["stride"] = -int(rng.integers(0, 3))
    elif choice == 2:
        kwargs["padding"] = (0, -int(rng.integers(1, 3)))
    else:
        kwargs["dilation"] = (int(rng.integers(-2, 1)), 1)
    return Inputs(args=tuple(args), kwargs=kwargs)


class ConvOutputSize(Exercise):
    slug = "conv-output-size"
    title_en = "Conv2d output size"
    title_zh = "二维卷积的输出尺寸"
    entry_point = "conv2d_output_size"
    topic = "cnn"
    cards = ("卷积层有哪些基本参数？", "简述空洞卷积", "简述卷积相关计算")
    difficulty = "easy"
    position = 3
    frameworks = ("python",)
    output = IntTuple()
    forbidden_ops = ("convolution", "pooling")
    forbidden = (
        "torch.nn.Conv2d",
        "torch.nn.LazyConv2d",
        "torch.nn.functional.conv2d",
        "torch.conv2d",
        "torch.convolution",
        "torch._convolution",
    )
    expected_exceptions = (ValueError,)
    samples = (
        Sample(name="sample: 3x3 kernel", inputs=Inputs(args=(32, 32, 3))),
        Sample(
            name="sample: stride and padding",
            inputs=Inputs(args=(28, 30, 5), kwargs={"stride": 2, "padding": 2}),
        ),
        Sample(name="sample: kernel larger than the input", inputs=Inputs(args=(5, 5, 7))),
    )
    hidden = (
        HiddenCase("int kernel, default stride, padding and dilation", _basic),
        HiddenCase("stride 2 with padding", _strided_padded),
        HiddenCase("(int, int) kernel and stride pairs", _pairs),
        HiddenCase("dilation 2", _dilation),
        HiddenCase("(int, int) dilation and padding pairs", _pair_dilation_padding),
        HiddenCase("output size exactly 1", _output_one),
        HiddenCase("stride larger than the input", _big_stride),
        HiddenCase("random valid arguments, set 1", _random_valid),
        HiddenCase("random valid arguments, set 2", _random_valid),
        HiddenCase("random valid arguments, set 3", _random_valid),
        HiddenCase("kernel larger than the input raises ValueError", _too_large),
        HiddenCase("dilated kernel larger than the input raises ValueError", _dilated_too_large),
        HiddenCase("zero stride raises ValueError", _zero_stride),
        HiddenCase("negative padding raises ValueError", _negative_padding),
        HiddenCase("non-positive kernel size raises ValueError", _bad_kernel),
        HiddenCase("zero dilation raises ValueError", _zero_dilation),
        HiddenCase("random invalid arguments raise ValueError", _random_invalid),
    )

    def reference(
        self,
        h: int,
        w: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
    ) -> tuple[int, int]:
        kernel = _pair(kernel_size, "kernel_size")
        strides = _pair(stride, "stride")
        paddings = _pair(padding, "padding")
        dilations = _pair(dilation, "dilation")
        if min(kernel) < 1 or min(strides) < 1 or min(dilations) < 1:
            raise ValueError("kernel_size, stride and dilation must be positive")
        if min(paddings) < 0:
            raise ValueError("padding must not be negative")
        # The shape a real Conv2d produces on a tiny one-channel input is the ground truth.
        conv = torch.nn.Conv2d(
            1,
            1,
            kernel_size=kernel,
            stride=strides,
            padding=paddings,
            dilation=dilations,
            bias=False,
        )
        try:
            with torch.no_grad():
                out = conv(torch.zeros(1, 1, h, w))
        except RuntimeError as exc:
            raise ValueError(f"non-positive output size: {exc}") from exc
        h_out, w_out = int(out.shape[-2]), int(out.shape[-1])
        if h_out < 1 or w_out < 1:
            raise ValueError("non-positive output size")
        return h_out, w_out
