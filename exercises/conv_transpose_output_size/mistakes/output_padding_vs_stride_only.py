MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {"output_padding below the dilation but not the stride": "runtime_error"},
    "diagnosis": {
        "en": "output_padding is checked against the stride only: PyTorch accepts it when it is smaller than either the stride or the dilation",
        "zh": "只拿 stride 检查了 output_padding：PyTorch 的规则是小于 stride 或小于 dilation 二者之一即可",
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
        if oo >= ss:
            raise ValueError("output_padding must be smaller than the stride")
        size = (n - 1) * ss - 2 * pp + dd * (kk - 1) + oo + 1
        if size < 1:
            raise ValueError("too small")
        out.append(size)
    return tuple(out)
