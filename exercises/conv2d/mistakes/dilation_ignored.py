import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "dilation 2": "invalid_output",
        "(int, int) dilation with padding": "invalid_output",
    },
    "messages": {"dilation 2": "expected shape"},
    "diagnosis": {
        "en": "dilation is ignored: a dilated kernel reads x[y*stride + i*dilation] and spans dilation*(k-1)+1 pixels",
        "zh": "忽略了 dilation：空洞卷积读取 x[y·stride + i·dilation]，卷积核覆盖 dilation·(k−1)+1 个像素",
    },
}


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    c_out, c_g, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    n, _, h_out, w_out = win.shape[:4]
    win = win.reshape(n, groups, c_g, h_out, w_out, kh, kw)
    wg = weight.reshape(groups, c_out // groups, c_g, kh, kw)
    out = np.einsum("ngcyxij,gocij->ngoyx", win, wg).reshape(n, c_out, h_out, w_out)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)
