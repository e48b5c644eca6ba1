def _pair(value):
    if isinstance(value, tuple | list):
        a, b = value
        return a, b
    return value, value


def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
    kernel, strides, paddings, dilations = (
        _pair(kernel_size),
        _pair(stride),
        _pair(padding),
        _pair(dilation),
    )
    if min(kernel) < 1 or min(strides) < 1 or min(dilations) < 1:
        raise ValueError("kernel_size, stride and dilation must be positive")
    if min(paddings) < 0:
        raise ValueError("padding must not be negative")
    out = []
    for n, k, s, p, d in zip((h, w), kernel, strides, paddings, dilations):
        size = (n + 2 * p - d * (k - 1) - 1) // s + 1
        if size < 1:
            raise ValueError(f"non-positive output size {size}")
        out.append(size)
    return tuple(out)
