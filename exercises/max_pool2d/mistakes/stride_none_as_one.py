import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: 2x2 windows on a 4x4 image": "invalid_output",
        "stride None means kernel_size (3)": "invalid_output",
    },
    "messages": {
        "sample: 2x2 windows on a 4x4 image": "expected shape (1, 1, 2, 2), got (1, 1, 3, 3)"
    },
    "diagnosis": {
        "en": "stride=None is taken as 1: like nn.MaxPool2d, no stride means stride = kernel_size (non-overlapping windows)",
        "zh": "把 stride=None 当成了 1：和 nn.MaxPool2d 一样，不给 stride 时 stride 等于 kernel_size（窗口不重叠）",
    },
}


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = (1, 1) if stride is None else _pair(stride)
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError("padding too large")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + sh), (pw, pw + sw)), constant_values=-np.inf)
    h, w = x.shape[2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    extra = (sh - 1, sw - 1) if ceil_mode else (0, 0)
    ho, wo = (h + 2 * ph - eh + extra[0]) // sh + 1, (w + 2 * pw - ew + extra[1]) // sw + 1
    if ceil_mode and (ho - 1) * sh >= h + ph:
        ho -= 1
    if ceil_mode and (wo - 1) * sw >= w + pw:
        wo -= 1
    win = sliding_window_view(xp, (eh, ew), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    return win[:, :, :ho, :wo].max(axis=(4, 5))
