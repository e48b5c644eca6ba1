import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: 3x3 kernel on a 4x4 image": "wrong_answer",
        "3x3 kernel, no padding": "wrong_answer",
        "groups=2": "wrong_answer",
    },
    "diagnosis": {
        "en": "the kernel is flipped (true convolution): F.conv2d is a cross-correlation, out[y, x] = sum w[i, j] * x[y + i, x + j]",
        "zh": "把卷积核翻转了（数学上的卷积）：F.conv2d 实际是互相关，out[y, x] = Σ w[i, j] · x[y + i, x + j]",
    },
}


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    weight = weight[:, :, ::-1, ::-1]
    c_out, c_g, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = sliding_window_view(xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    win = win[:, :, ::sh, ::sw, ::dh, ::dw]
    n, _, h_out, w_out = win.shape[:4]
    win = win.reshape(n, groups, c_g, h_out, w_out, kh, kw)
    wg = weight.reshape(groups, c_out // groups, c_g, kh, kw)
    out = np.einsum("ngcyxij,gocij->ngoyx", win, wg).reshape(n, c_out, h_out, w_out)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)
