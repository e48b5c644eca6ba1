MISTAKE = {
    "framework": "python",
    "expect": {"sample: 3x3 kernel": "invalid_output"},
    "messages": {"sample: 3x3 kernel": "result: item 0 must be a Python int, got float (30.0)"},
    "diagnosis": {
        "en": "the sizes are floats: use floor division (//) and return ints",
        "zh": "返回了浮点数：应使用整除（//）并返回 int",
    },
}


def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
    return (float(h - kernel_size + 1), float(w - kernel_size + 1))
