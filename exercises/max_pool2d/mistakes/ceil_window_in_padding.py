import math

import torch.nn.functional as F

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"ceil_mode: no window starts in the right padding": "invalid_output"},
    "messages": {"ceil_mode: no window starts in the right padding": "expected shape (1, 3, 3, 4)"},
    "diagnosis": {
        "en": "with ceil_mode the last window must start inside the input or the left padding: drop a window that would start in the right padding",
        "zh": "ceil_mode 下最后一个窗口必须从输入内部或左侧 padding 开始：起点落在右侧 padding 的窗口要去掉",
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
    rnd = math.ceil if ceil_mode else math.floor
    ho, wo = rnd((h + 2 * ph - eh) / sh) + 1, rnd((w + 2 * pw - ew) / sw) + 1
    rh, rw = (ho - 1) * sh + eh - h - ph, (wo - 1) * sw + ew - w - pw
    xp = F.pad(x, (pw, max(pw, rw), ph, max(ph, rh)), value=float("-inf"))
    win = xp.unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return win[:, :, :ho, :wo].amax(dim=(4, 5))
