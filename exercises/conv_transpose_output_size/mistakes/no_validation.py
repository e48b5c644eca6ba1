MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {
        "negative padding raises ValueError": "wrong_answer",
        "output_padding equal to stride and dilation raises ValueError": "wrong_answer",
    },
    "messages": {"negative padding raises ValueError": "expected ValueError"},
    "diagnosis": {
        "en": "invalid arguments are not rejected: raise ValueError for non-positive kernel, stride or dilation, negative (output) padding, a too large output_padding or a non-positive size",
        "zh": "没有拒绝非法参数：kernel、stride、dilation 非正，padding 或 output_padding 为负，output_padding 过大，或尺寸非正时都应抛出 ValueError",
    },
}


def conv_transpose2d_output_size(
    h, w, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)

    k, s, p, op, d = (pair(v) for v in (kernel_size, stride, padding, output_padding, dilation))
    return tuple(
        (n - 1) * ss - 2 * pp + dd * (kk - 1) + oo + 1
        for n, kk, ss, pp, oo, dd in zip((h, w), k, s, p, op, d)
    )
