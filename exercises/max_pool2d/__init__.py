"""max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False), as F.max_pool2d."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, ints, normal, pair_or_int, sizes

IntOrPair = int | tuple[int, int]


class _Options(TypedDict, total=False):
    """max_pool2d's keyword arguments."""

    stride: IntOrPair | None
    padding: IntOrPair
    dilation: IntOrPair
    ceil_mode: bool


def _pair(value: IntOrPair) -> tuple[int, int]:
    return (int(value[0]), int(value[1])) if isinstance(value, tuple | list) else (value, value)


def _case(
    shape: tuple[int, int, int, int],
    kernel_size: IntOrPair,
    *,
    low: float = -3.0,
    **kwargs: Unpack[_Options],
) -> Callable[[np.random.Generator], Inputs]:
    """Distinct values in [low, low + 6) (ties never hide a wrong window)."""

    def make(rng: np.random.Generator) -> Inputs:
        x = (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.25).astype(F32)
        x = (x / max(1.0, x.max()) * 6 + low).astype(F32)
        return Inputs(args=(x, kernel_size), kwargs=kwargs)

    return make


def _special(rng: np.random.Generator) -> Inputs:
    x = normal(rng, (2, 3, 7, 8), scale=1e4)
    x[0, 0] = -np.inf
    x[1, :, 2:5, 3:6] = -np.inf
    x[1, 2, 0, 0] = np.inf
    return Inputs(args=(x, 3), kwargs={"stride": 2, "padding": 1})


def _random(rng: np.random.Generator) -> Inputs:
    kernel, stride, dilation = (
        pair_or_int(rng, 1, 4),
        pair_or_int(rng, 1, 3),
        pair_or_int(rng, 1, 2),
    )
    (kh, kw), (dh, dw) = _pair(kernel), _pair(dilation)
    padding = (ints(rng, 0, kh // 2), ints(rng, 0, kw // 2))
    n, c, h, w = sizes(rng, 4, low=1, high=4)
    size = (dh * (kh - 1) + h + 2, dw * (kw - 1) + w + 2)
    return _case(
        (n, c, *size),
        kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=bool(rng.random() < 0.5),
    )(rng)


def _sample(x: npt.ArrayLike, kernel_size: IntOrPair, **kwargs: Unpack[_Options]) -> Inputs:
    return Inputs(args=(np.asarray(x, dtype=F32), kernel_size), kwargs=kwargs)


class MaxPool2d(Exercise):
    slug = "max-pool2d"
    title_en = "2-D max pooling"
    title_zh = "二维最大池化"
    entry_point = "max_pool2d"
    topic = "cnn"
    cards = ("简述池化层", "池化的特点是什么？")
    difficulty = "medium"
    position = 24
    # A maximum is one of the inputs, exactly: no rounding to allow for.
    rtol = 0.0
    atol = 0.0
    forbidden_ops = ("pooling",)
    forbidden = (
        "torch.nn.functional.max_pool2d",
        "torch.nn.functional.max_pool2d_with_indices",
        "torch.nn.functional.max_pool3d",
        "torch.nn.functional.adaptive_max_pool2d",
        "torch.nn.functional.fractional_max_pool2d",
        "torch.max_pool2d",
        "torch.max_pool3d",
        "torch.nn.MaxPool2d",
        "torch.nn.MaxPool3d",
        "torch.nn.AdaptiveMaxPool2d",
        "scipy.ndimage",
    )
    expected_exceptions = (ValueError,)
    samples = (
        Sample(
            "sample: 2x2 windows on a 4x4 image",
            _sample(
                np.array([1, 3, 2, 4, 5, 0, 1, 2, 7, 2, 9, 8, 0, 6, 3, 1]).reshape(1, 1, 4, 4), 2
            ),
        ),
        Sample(
            "sample: 3x3 windows, stride 2, padding 1",
            _sample(np.arange(25).reshape(1, 1, 5, 5) % 7, 3, stride=2, padding=1),
        ),
        Sample(
            "sample: ceil_mode keeps the last partial window",
            _sample(np.arange(25).reshape(1, 1, 5, 5) % 6, 2, stride=2, ceil_mode=True),
        ),
    )
    hidden = (
        HiddenCase("2x2 windows, default stride", _case((2, 3, 8, 6), 2)),
        HiddenCase("stride None means kernel_size (3)", _case((2, 2, 9, 10), 3)),
        HiddenCase(
            "(int, int) kernel, stride and padding",
            _case((2, 3, 9, 11), (2, 3), stride=(1, 2), padding=(1, 0)),
        ),
        HiddenCase(
            "padding counts as -inf (negative inputs)",
            _case((2, 3, 6, 7), 3, low=-10.0, stride=2, padding=1),
        ),
        HiddenCase("dilation 2", _case((1, 3, 10, 9), 3, stride=1, padding=1, dilation=2)),
        HiddenCase(
            "(int, int) dilation and ceil_mode",
            _case((2, 2, 11, 10), (2, 3), stride=2, dilation=(3, 1), ceil_mode=True),
        ),
        HiddenCase(
            "ceil_mode: last window partly outside",
            _case((2, 2, 7, 9), 3, stride=2, ceil_mode=True),
        ),
        HiddenCase(
            "ceil_mode: no window starts in the right padding",
            _case((1, 3, 5, 7), 2, low=-7.0, stride=2, padding=1, ceil_mode=True),
        ),
        HiddenCase("-inf, inf and values of 1e4", _special),
        HiddenCase("stride larger than the kernel", _case((2, 2, 11, 12), 2, stride=3)),
        HiddenCase("1x1 windows", _case((1, 4, 5, 3), 1, stride=2)),
        HiddenCase("padding exactly half the kernel", _case((2, 2, 6, 6), (2, 4), padding=(1, 2))),
        HiddenCase("random arguments, set 1", _random),
        HiddenCase("random arguments, set 2", _random),
        HiddenCase("random arguments, set 3", _random),
        HiddenCase(
            "padding over half the kernel raises ValueError", _case((1, 2, 8, 8), 3, padding=2)
        ),
        HiddenCase(
            "padding over half the kernel in one dimension raises ValueError",
            _case((1, 2, 8, 8), (3, 2), stride=1, padding=(1, 2)),
        ),
    )
    performance = PerformanceTest(
        name="fast enough on a (1, 2, 1024, 1024) input, 3x3 windows, stride 2",
        make=lambda rng: Inputs(
            args=(normal(rng, (1, 2, 1024, 1024)), 3), kwargs={"stride": 2, "padding": 1}
        ),
        repeat=3,
        # Generous: the common sliding_window_view(...).max(axis=(-2, -1)) takes about 8x the
        # offset loop and passes; a loop over output positions takes 60x or more and fails.
        allowed_slowdown=30.0,
    )

    def reference(
        self,
        x: np.ndarray,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        ceil_mode: bool = False,
    ) -> np.ndarray:
        kernel = _pair(kernel_size)
        strides = kernel if stride is None else _pair(stride)
        paddings, dilations = _pair(padding), _pair(dilation)
        if min(kernel) < 1 or min(strides) < 1 or min(dilations) < 1 or min(paddings) < 0:
            raise ValueError("kernel_size, stride and dilation must be positive, padding >= 0")
        # PyTorch checks padding against half the kernel and half the effective kernel; the
        # first is the stricter of the two.
        if any(p > k // 2 for p, k in zip(paddings, kernel, strict=True)):
            raise ValueError(f"padding {paddings} exceeds half the kernel {kernel}")
        sizes_out, pads = [], [(0, 0), (0, 0)]
        for n, k, s, p, d in zip(x.shape[2:], kernel, strides, paddings, dilations, strict=True):
            span = d * (k - 1) + 1
            out = (n + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
            if ceil_mode and (out - 1) * s >= n + p:
                out -= 1  # the last window would start in the right padding
            if out < 1:
                raise ValueError("non-positive output size")
            sizes_out.append(out)
            pads.append((p, max(p, (out - 1) * s + span - n - p)))
        xp = np.pad(np.asarray(x, dtype=np.float64), pads, constant_values=-np.inf)
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, strides, dilations, sizes_out
        result = np.full((*x.shape[:2], ho, wo), -np.inf)
        for i in range(kh):
            for j in range(kw):
                window = xp[
                    ...,
                    i * dh : i * dh + sh * (ho - 1) + 1 : sh,
                    j * dw : j * dw + sw * (wo - 1) + 1 : sw,
                ]
                np.maximum(result, window, out=result)
        return result.astype(F32)

    def oracle(
        self,
        x: np.ndarray,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        ceil_mode: bool = False,
    ) -> np.ndarray:
        x64 = torch.from_numpy(np.array(x, dtype=np.float64))
        try:
            out = F.max_pool2d(x64, kernel_size, stride, padding, dilation, ceil_mode)
        except RuntimeError as exc:
            raise ValueError(str(exc)) from exc
        return out.numpy().astype(F32)
