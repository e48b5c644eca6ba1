"""conv_transpose2d_output_size(h, w, kernel_size, stride=1, padding=0, output_padding=0,
dilation=1): the spatial size nn.ConvTranspose2d produces, or ValueError where it refuses."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, Sample
from exercises.gen import ints
from exercises.specs import IntTuple

IntOrPair = int | tuple[int, int]


def _pair(value: IntOrPair) -> tuple[int, int]:
    return (int(value[0]), int(value[1])) if isinstance(value, tuple | list) else (value, value)


def _fixed(
    h: int, w: int, kernel_size: IntOrPair, **kwargs: IntOrPair
) -> Callable[[np.random.Generator], Inputs]:
    """Fixed arguments; kwargs are stride, padding, output_padding and dilation."""
    return lambda rng: Inputs(args=(h, w, kernel_size), kwargs=kwargs)


def _random(rng: np.random.Generator) -> Inputs:
    """Valid arguments: output_padding below the stride or the dilation, padding small enough."""
    stride, dilation = (ints(rng, 1, 4), ints(rng, 1, 4)), (ints(rng, 1, 3), ints(rng, 1, 3))
    kernel = (ints(rng, 1, 6), ints(rng, 1, 6))
    out_pad = tuple(ints(rng, 0, max(s, d) - 1) for s, d in zip(stride, dilation, strict=True))
    padding = tuple(ints(rng, 0, d * (k - 1) // 2) for k, d in zip(kernel, dilation, strict=True))
    kwargs = {"stride": stride, "padding": padding, "output_padding": out_pad, "dilation": dilation}
    return Inputs(args=(ints(rng, 1, 40), ints(rng, 1, 40), kernel), kwargs=kwargs)


def _random_invalid(rng: np.random.Generator) -> Inputs:
    inputs = _random(rng)
    kwargs = dict(inputs.kwargs)
    name = ("stride", "padding", "output_padding", "dilation")[ints(rng, 0, 3)]
    low = {"stride": -2, "dilation": -2, "padding": -3, "output_padding": -3}[name]
    kwargs[name] = (kwargs[name][0], ints(rng, low, -1) if "padding" in name else ints(rng, low, 0))
    return Inputs(args=inputs.args, kwargs=kwargs)


class ConvTransposeOutputSize(Exercise):
    slug = "conv-transpose-output-size"
    title_en = "ConvTranspose2d output size"
    title_zh = "转置卷积的输出尺寸"
    entry_point = "conv_transpose2d_output_size"
    topic = "cnn"
    cards = ("简述反卷积（转置卷积）",)
    difficulty = "easy"
    position = 25
    frameworks = ("python",)
    output = IntTuple()
    forbidden_ops = ("convolution",)
    forbidden = (
        "torch.nn.ConvTranspose2d",
        "torch.nn.LazyConvTranspose2d",
        "torch.nn.functional.conv_transpose2d",
        "torch.conv_transpose2d",
        "torch.convolution",
        "torch._convolution",
    )
    expected_exceptions = (ValueError,)
    samples = (
        Sample("sample: 3x3 kernel", Inputs(args=(4, 4, 3))),
        Sample(
            "sample: stride 2, padding 1, output_padding 1",
            Inputs(args=(4, 5, 3), kwargs={"stride": 2, "padding": 1, "output_padding": 1}),
        ),
    )
    hidden = (
        HiddenCase("stride 1, no padding", _fixed(7, 12, 5)),
        HiddenCase("stride 2 doubles the size", _fixed(16, 9, 4, stride=2, padding=1)),
        HiddenCase(
            "(int, int) pairs for every argument",
            _fixed(
                6, 11, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2)
            ),
        ),
        HiddenCase("dilation 3", _fixed(5, 8, 3, dilation=3, padding=2)),
        HiddenCase(
            "output_padding below the dilation but not the stride",
            _fixed(9, 6, 3, stride=1, output_padding=1, dilation=2),
        ),
        HiddenCase("output size exactly 1", _fixed(1, 2, 3, padding=1, stride=3)),
        HiddenCase("1x1 input", _fixed(1, 1, (2, 5), stride=4, output_padding=3)),
        HiddenCase("random valid arguments, set 1", _random),
        HiddenCase("random valid arguments, set 2", _random),
        HiddenCase("random valid arguments, set 3", _random),
        HiddenCase(
            "output_padding equal to stride and dilation raises ValueError",
            _fixed(8, 8, 3, stride=2, output_padding=2, dilation=2),
        ),
        HiddenCase(
            "output_padding too large in one dimension raises ValueError",
            _fixed(8, 8, 3, stride=(2, 2), output_padding=(1, 3), dilation=(1, 2)),
        ),
        HiddenCase("zero stride raises ValueError", _fixed(8, 8, 3, stride=(1, 0))),
        HiddenCase("negative padding raises ValueError", _fixed(8, 8, 3, padding=-1)),
        HiddenCase(
            "negative output_padding raises ValueError",
            _fixed(8, 8, 3, stride=2, output_padding=-1),
        ),
        HiddenCase("non-positive kernel size raises ValueError", _fixed(8, 8, (3, 0))),
        HiddenCase("zero dilation raises ValueError", _fixed(8, 8, 3, dilation=(0, 1))),
        HiddenCase("non-positive output size raises ValueError", _fixed(1, 4, 1, padding=1)),
        HiddenCase("non-positive input size raises ValueError", _fixed(0, 4, 3)),
        HiddenCase("random invalid arguments raise ValueError", _random_invalid),
    )

    def reference(
        self,
        h: int,
        w: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        output_padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
    ) -> tuple[int, int]:
        kernel, strides, dilations = _pair(kernel_size), _pair(stride), _pair(dilation)
        paddings, out_pads = _pair(padding), _pair(output_padding)
        if min(kernel) < 1 or min(strides) < 1 or min(dilations) < 1:
            raise ValueError("kernel_size, stride and dilation must be positive")
        if min(paddings) < 0 or min(out_pads) < 0:
            raise ValueError("padding and output_padding must not be negative")
        if min(h, w) < 1:
            raise ValueError("the input size must be positive")
        out = []
        for n, k, s, p, op, d in zip(
            (h, w), kernel, strides, paddings, out_pads, dilations, strict=True
        ):
            if op >= s and op >= d:
                raise ValueError(
                    f"output_padding {op} is smaller than neither stride {s} nor dilation {d}"
                )
            size = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
            if size < 1:
                raise ValueError(f"non-positive output size {size}")
            out.append(size)
        return out[0], out[1]

    def oracle(
        self,
        h: int,
        w: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        output_padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
    ) -> tuple[int, int]:
        """The shape a real CPU module produces on a tiny input (it checks only in forward)."""
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")  # a zero-size kernel's initialisation warns
                conv = torch.nn.ConvTranspose2d(
                    1,
                    1,
                    kernel_size,
                    stride,
                    padding,
                    output_padding,
                    dilation=dilation,
                    bias=False,
                )
                out = conv(torch.zeros(1, 1, h, w))
        except RuntimeError as exc:
            raise ValueError(str(exc)) from exc
        return int(out.shape[-2]), int(out.shape[-1])
