import torch
import torch.nn.functional as F

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: groups=2": "wrong_answer",
        "groups=2": "wrong_answer",
        "groups=3 with stride and dilation": "wrong_answer",
    },
    "diagnosis": {
        "en": "group g takes every groups-th input channel (g, g + groups, ...); it takes the contiguous block g*C_in/groups ... (g+1)*C_in/groups - 1",
        "zh": "第 g 组取了间隔为 groups 的输入通道（g, g + groups, …）；应取连续的一段 g·C_in/groups … (g+1)·C_in/groups − 1",
    },
}


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    c_out, c_g, kh, kw = weight.shape
    xp = F.pad(x, (pw, pw, ph, ph))
    outs = []
    for g in range(groups):
        xg = xp[:, g::groups]  # interleaved channels
        win = xg.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)
        win = win[..., ::dh, ::dw]
        wg = weight[g * c_out // groups : (g + 1) * c_out // groups]
        outs.append(torch.einsum("ncyxij,ocij->noyx", win, wg))
    out = torch.cat(outs, dim=1)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)
