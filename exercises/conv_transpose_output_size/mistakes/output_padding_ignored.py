MISTAKE = {
    "framework": "python",
    "expect": {
        "sample: stride 2, padding 1, output_padding 1": "wrong_answer",
        "(int, int) pairs for every argument": "wrong_answer",
    },
    "diagnosis": {
        "en": "output_padding is ignored: it adds output_padding rows/columns at the bottom/right of the output",
        "zh": "忽略了 output_padding：它会在输出的下方/右侧多加 output_padding 行/列",
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
        size = (n - 1) * ss - 2 * pp + dd * (kk - 1) + 1
        if size < 1:
            raise ValueError("too small")
        out.append(size)
    return tuple(out)
