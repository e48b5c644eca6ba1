"""conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1), as F.conv2d computes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F
from numpy.lib.stride_tricks import as_strided

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, ints, normal, pair_or_int

IntOrPair = int | tuple[int, int]


class _Options(TypedDict, total=False):
    """conv2d's keyword arguments."""

    bias: np.ndarray | None
    stride: IntOrPair
    padding: IntOrPair
    dilation: IntOrPair
    groups: int


def _pair(value: IntOrPair) -> tuple[int, int]:
    return (int(value[0]), int(value[1])) if isinstance(value, tuple | list) else (value, value)


def _case(
    n: int,
    c_in: int,
    c_out: int,
    size: tuple[int, int],
    kernel: tuple[int, int],
    **kwargs: Unpack[_Options],
) -> Callable[[np.random.Generator], Inputs]:
    """x (n, c_in, *size) and weight (c_out, c_in / groups, *kernel), with a bias unless
    kwargs says bias=None."""

    def make(rng: np.random.Generator) -> Inputs:
        groups = kwargs.get("groups", 1)
        x = normal(rng, (n, c_in, *size))
        weight = normal(rng, (c_out, c_in // groups, *kernel), scale=0.5)
        extra: dict[str, object] = {"bias": normal(rng, (c_out,)), **kwargs}
        return Inputs(args=(x, weight), kwargs={k: v for k, v in extra.items() if v is not None})

    return make


def _random(rng: np.random.Generator) -> Inputs:
    groups = ints(rng, 1, 3)
    kernel, stride = pair_or_int(rng, 1, 4), pair_or_int(rng, 1, 3)
    padding, dilation = pair_or_int(rng, 0, 2), pair_or_int(rng, 1, 2)
    (kh, kw), (dh, dw) = _pair(kernel), _pair(dilation)
    size = (dh * (kh - 1) + ints(rng, 1, 8), dw * (kw - 1) + ints(rng, 1, 8))
    return _case(
        ints(rng, 1, 3),
        groups * ints(rng, 1, 3),
        groups * ints(rng, 1, 3),
        size,
        (kh, kw),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )(rng)


def _sample(x: npt.ArrayLike, weight: npt.ArrayLike, **kwargs: Unpack[_Options]) -> Inputs:
    return Inputs(args=(np.array(x, dtype=F32), np.array(weight, dtype=F32)), kwargs=kwargs)


class Conv2d(Exercise):
    slug = "conv2d"
    title_en = "2-D convolution (cross-correlation)"
    title_zh = "二维卷积（互相关）"
    entry_point = "conv2d"
    topic = "cnn"
    cards = ("简述图像卷积运算", "简述分组卷积")
    difficulty = "hard"
    position = 23
    # Sums of up to a few dozen float32 products; outputs near 0 need an absolute tolerance.
    rtol = 1e-4
    atol = 1e-4
    forbidden_ops = ("convolution",)
    forbidden = (
        "torch.nn.functional.conv2d",
        "torch.nn.functional.conv3d",
        "torch.nn.functional.conv_transpose2d",
        "torch.conv2d",
        "torch.conv3d",
        "torch.conv_transpose2d",
        "torch.convolution",
        "torch._convolution",
        "torch.nn.Conv2d",
        "torch.nn.Conv3d",
        "torch.nn.ConvTranspose2d",
        "torch.nn.LazyConv2d",
        "scipy.signal",
        "scipy.ndimage",
    )
    samples = (
        Sample(
            "sample: 3x3 kernel on a 4x4 image",
            _sample(np.arange(16).reshape(1, 1, 4, 4), [[[[1, 0, -1], [2, 0, -2], [1, 0, -1]]]]),
        ),
        Sample(
            "sample: two channels, stride 2, bias",
            _sample(
                np.arange(50).reshape(1, 2, 5, 5) % 7,
                [[[[1, 2], [0, -1]], [[0, 1], [1, 0]]]],
                bias=np.array([0.5], dtype=F32),
                stride=2,
            ),
        ),
        Sample(
            "sample: groups=2",
            _sample(
                np.arange(36).reshape(1, 4, 3, 3) % 5,
                np.array([1, -1, 2, 0, 0, 1, 1, 1] * 2).reshape(2, 2, 2, 2),
                groups=2,
            ),
        ),
    )
    hidden = (
        HiddenCase("3x3 kernel, no padding", _case(2, 3, 4, (7, 9), (3, 3))),
        HiddenCase("stride 2 and padding 1", _case(2, 3, 5, (9, 8), (3, 3), stride=2, padding=1)),
        HiddenCase(
            "(int, int) kernel, stride and padding",
            _case(1, 2, 3, (8, 11), (2, 3), stride=(1, 2), padding=(2, 1)),
        ),
        HiddenCase("dilation 2", _case(2, 2, 3, (9, 10), (3, 3), dilation=2)),
        HiddenCase(
            "(int, int) dilation with padding",
            _case(1, 3, 2, (10, 12), (3, 2), dilation=(2, 3), padding=(1, 2)),
        ),
        HiddenCase("groups=2", _case(2, 4, 6, (6, 7), (3, 3), groups=2)),
        HiddenCase("depthwise: groups = C_in", _case(2, 3, 6, (6, 6), (3, 3), groups=3, padding=1)),
        HiddenCase(
            "groups=3 with stride and dilation",
            _case(1, 6, 9, (11, 10), (2, 3), groups=3, stride=2, dilation=(2, 1), padding=1),
        ),
        HiddenCase("no bias (None)", _case(2, 3, 4, (6, 5), (3, 3), bias=None, padding=1)),
        HiddenCase("1x1 kernel with stride 2", _case(3, 5, 4, (7, 6), (1, 1), stride=2)),
        HiddenCase(
            "kernel covering the padded input (1x1 output)",
            _case(2, 2, 3, (3, 4), (5, 6), padding=1),
        ),
        HiddenCase("one image, one channel", _case(1, 1, 1, (5, 6), (2, 2))),
        HiddenCase("padding wider than the kernel", _case(1, 2, 2, (4, 5), (3, 3), padding=3)),
        HiddenCase("random arguments, set 1", _random),
        HiddenCase("random arguments, set 2", _random),
        HiddenCase("random arguments, set 3", _random),
    )
    performance = PerformanceTest(
        name="fast enough on a 512x512 grayscale image with two 3x3 filters",
        make=_case(1, 1, 2, (512, 512), (3, 3), padding=1),
        repeat=3,
        # Few channels, many positions: a loop over output positions takes 100x the strided view
        # or more and fails; a vectorised einsum over Tensor.unfold, 10-30x in torch, passes.
        allowed_slowdown=30.0,
    )

    def reference(
        self,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
    ) -> np.ndarray:
        """im2col on a strided view of the padded input, one matmul per group, in float64."""
        (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
        n, _, h, w = x.shape
        c_out, c_g, kh, kw = weight.shape
        xp = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        s0, s1, s2, s3 = xp.strides
        windows = as_strided(
            xp,
            (n, groups, c_g, kh, kw, h_out, w_out),
            (s0, s1 * c_g, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw),
            writeable=False,
        )
        columns = windows.reshape(n, groups, c_g * kh * kw, h_out * w_out)
        kernels = np.asarray(weight, dtype=np.float64).reshape(groups, c_out // groups, -1)
        out = np.matmul(kernels, columns).reshape(n, c_out, h_out, w_out)
        if bias is not None:
            out = out + np.asarray(bias, dtype=np.float64).reshape(1, -1, 1, 1)
        return out.astype(F32)

    def oracle(
        self,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
    ) -> np.ndarray:
        def as64(a: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.array(a, dtype=np.float64))

        out = F.conv2d(
            as64(x),
            as64(weight),
            None if bias is None else as64(bias),
            stride,
            padding,
            dilation,
            groups,
        )
        return out.numpy().astype(F32)
