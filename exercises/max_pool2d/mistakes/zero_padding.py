import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"padding counts as -inf (negative inputs)": "wrong_answer"},
    "diagnosis": {
        "en": "the padding is filled with zeros: for max pooling it counts as -inf, so a window of negative values near the border must not return 0",
        "zh": "padding 用 0 填充了：最大池化里 padding 相当于 -inf，边界处全为负数的窗口不能返回 0",
    },
}


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = (kh, kw) if stride is None else _pair(stride)
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError("padding too large")
    h, w = x.shape[2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    extra = (sh - 1, sw - 1) if ceil_mode else (0, 0)
    ho, wo = (h + 2 * ph - eh + extra[0]) // sh + 1, (w + 2 * pw - ew + extra[1]) // sw + 1
    if ceil_mode and (ho - 1) * sh >= h + ph:
        ho -= 1
    if ceil_mode and (wo - 1) * sw >= w + pw:
        wo -= 1
    rh, rw = (ho - 1) * sh + eh - h - ph, (wo - 1) * sw + ew - w - pw
    xp = np.pad(x, ((0, 0), (0, 0), (ph, max(ph, rh)), (pw, max(pw, rw))))  # zeros
    win = sliding_window_view(xp, (eh, ew), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    return win[:, :, :ho, :wo].max(axis=(4, 5))
