import torch
import torch.nn.functional as F


def _pair(value):
    return tuple(value) if isinstance(value, tuple | list) else (value, value)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    kernel = _pair(kernel_size)
    strides = kernel if stride is None else _pair(stride)
    paddings, dilations = _pair(padding), _pair(dilation)
    if any(p > k // 2 for p, k in zip(paddings, kernel)):
        raise ValueError("padding must be at most half the kernel size")
    sizes, pads = [], [(0, 0), (0, 0)]
    for n, k, s, p, d in zip(x.shape[2:], kernel, strides, paddings, dilations):
        span = d * (k - 1) + 1
        out = (n + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (out - 1) * s >= n + p:
            out -= 1  # no window may start in the right padding
        sizes.append(out)
        pads.append((p, max(p, (out - 1) * s + span - n - p)))
    xp = F.pad(x, (*pads[3], *pads[2]), value=float("-inf"))
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, strides, dilations, sizes
    # One strided slice per kernel offset: kh * kw vectorised maxima over all windows at once.
    result = None
    for i in range(kh):
        for j in range(kw):
            window = xp[
                ...,
                i * dh : i * dh + sh * (ho - 1) + 1 : sh,
                j * dw : j * dw + sw * (wo - 1) + 1 : sw,
            ]
            result = window.clone() if result is None else torch.maximum(result, window, out=result)
    return result
