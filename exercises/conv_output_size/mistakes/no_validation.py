MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {
        "zero stride raises ValueError": "wrong_answer",
        "negative padding raises ValueError": "wrong_answer",
    },
    "messages": {
        "zero stride raises ValueError": "expected ValueError, but ZeroDivisionError was raised"
    },
    "diagnosis": {
        "en": "invalid arguments are not rejected: check kernel, stride and dilation > 0 and padding >= 0 and raise ValueError",
        "zh": "没有检查非法参数：kernel、stride、dilation 必须为正，padding 不能为负，否则抛出 ValueError",
    },
}


def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)

    k, s, p, d = pair(kernel_size), pair(stride), pair(padding), pair(dilation)
    out = tuple(
        (n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, ss, pp, dd in zip((h, w), k, s, p, d)
    )
    if min(out) < 1:
        raise ValueError("too small")
    return out
