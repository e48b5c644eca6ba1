def _pair(value):
    return tuple(value) if isinstance(value, tuple | list) else (value, value)


def conv_transpose2d_output_size(
    h, w, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
):
    kernel, strides, dilations = _pair(kernel_size), _pair(stride), _pair(dilation)
    paddings, out_pads = _pair(padding), _pair(output_padding)
    if min(kernel) < 1 or min(strides) < 1 or min(dilations) < 1:
        raise ValueError("kernel_size, stride and dilation must be positive")
    if min(paddings) < 0 or min(out_pads) < 0:
        raise ValueError("padding and output_padding must not be negative")
    if min(h, w) < 1:
        raise ValueError("the input size must be positive")
    out = []
    for n, k, s, p, op, d in zip((h, w), kernel, strides, paddings, out_pads, dilations):
        if op >= s and op >= d:
            raise ValueError("output_padding must be smaller than either stride or dilation")
        size = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        if size < 1:
            raise ValueError(f"non-positive output size {size}")
        out.append(size)
    return tuple(out)
