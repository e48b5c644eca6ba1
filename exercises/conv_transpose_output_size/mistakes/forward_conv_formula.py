MISTAKE = {
    "framework": "python",
    "expect": {"sample: 3x3 kernel": "wrong_answer", "stride 2 doubles the size": "wrong_answer"},
    "messages": {"sample: 3x3 kernel": "result: expected (6, 6)"},
    "diagnosis": {
        "en": "this is the forward convolution's formula; a transposed convolution inverts it: (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1",
        "zh": "用了正向卷积的公式；转置卷积是它的逆：(n − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1",
    },
}


def conv_transpose2d_output_size(
    h, w, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
):
    def pair(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v, v)

    k, s, p, op, d = (pair(v) for v in (kernel_size, stride, padding, output_padding, dilation))
    if min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0 or min(op) < 0 or min(h, w) < 1:
        raise ValueError("invalid")
    out = []
    for n, kk, ss, pp, oo, dd in zip((h, w), k, s, p, op, d):
        if oo >= ss and oo >= dd:
            raise ValueError("output_padding")
        size = (n + 2 * pp - dd * (kk - 1) - 1) // ss + 1
        if size < 1:
            raise ValueError("too small")
        out.append(size)
    return tuple(out)
