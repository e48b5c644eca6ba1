import torch.nn.functional as F

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {
        "padding over half the kernel raises ValueError": "wrong_answer",
        "padding over half the kernel in one dimension raises ValueError": "wrong_answer",
    },
    "messages": {"padding over half the kernel raises ValueError": "expected ValueError"},
    "diagnosis": {
        "en": "padding larger than half the kernel is accepted: PyTorch refuses it (a window could hold padding only), raise ValueError",
        "zh": "接受了超过卷积核一半的 padding：PyTorch 会拒绝（窗口可能只含 padding），应抛出 ValueError",
    },
}


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = (kh, kw) if stride is None else _pair(stride)
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    h, w = x.shape[2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    extra = (sh - 1, sw - 1) if ceil_mode else (0, 0)
    ho, wo = (h + 2 * ph - eh + extra[0]) // sh + 1, (w + 2 * pw - ew + extra[1]) // sw + 1
    if ceil_mode and (ho - 1) * sh >= h + ph:
        ho -= 1
    if ceil_mode and (wo - 1) * sw >= w + pw:
        wo -= 1
    rh, rw = (ho - 1) * sh + eh - h - ph, (wo - 1) * sw + ew - w - pw
    xp = F.pad(x, (pw, max(pw, rw), ph, max(ph, rh)), value=float("-inf"))
    win = xp.unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return win[:, :, :ho, :wo].amax(dim=(4, 5))
