MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {
        "dilation 2": "wrong_answer",
        "dilated kernel larger than the input raises ValueError": "wrong_answer",
    },
    "messages": {
        "dilation 2": "result: expected (",
        "dilated kernel larger than the input raises ValueError": "expected ValueError to be raised, but the call returned",
    },
    "diagnosis": {
        "en": "dilation is ignored: a dilated kernel spans dilation * (kernel - 1) + 1 pixels",
        "zh": "忽略了 dilation：空洞卷积核覆盖 dilation * (kernel - 1) + 1 个像素",
    },
}


def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)

    k, s, p = pair(kernel_size), pair(stride), pair(padding)
    if min(k) < 1 or min(s) < 1 or min(p) < 0:
        raise ValueError("invalid")
    out = tuple((n + 2 * pp - kk) // ss + 1 for n, kk, ss, pp in zip((h, w), k, s, p))
    if min(out) < 1:
        raise ValueError("too small")
    return out
