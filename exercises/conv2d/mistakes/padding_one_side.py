import torch
import torch.nn.functional as F

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {
        "stride 2 and padding 1": "wrong_answer",
        "(int, int) kernel, stride and padding": "wrong_answer",
        "depthwise: groups = C_in": "wrong_answer",
    },
    "diagnosis": {
        "en": "all 2*padding zeros are added after the image (bottom/right); padding adds `padding` zeros on each side",
        "zh": "把 2·padding 个零都补在了图像之后（下方/右侧）；padding 应在每一侧各补 padding 个零",
    },
}


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n, c_in, h, w = x.shape
    c_out, c_g, kh, kw = weight.shape
    xp = F.pad(x, (0, 2 * pw, 0, 2 * ph))
    win = xp.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)[..., ::dh, ::dw]
    h_out, w_out = win.shape[2], win.shape[3]
    win = win.reshape(n, groups, c_g, h_out, w_out, kh, kw)
    wg = weight.reshape(groups, c_out // groups, c_g, kh, kw)
    out = torch.einsum("ngcyxij,gocij->ngoyx", win, wg).reshape(n, c_out, h_out, w_out)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)
