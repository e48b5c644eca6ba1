MISTAKE = {
    "framework": "python",
    "expect": {"sample: 3 -> 64 channels, 3x3 kernel, 32x32 output": "wrong_answer"},
    "messages": {"sample: 3 -> 64 channels, 3x3 kernel, 32x32 output": "expected (1792, 1769472)"},
    "diagnosis": {
        "en": "the bias is not counted: with bias=True the layer has c_out more parameters",
        "zh": "没有计入偏置：bias=True 时多出 c_out 个参数",
    },
}


def conv2d_cost(c_in, c_out, kernel_size, h_out, w_out, groups=1, bias=True):
    kh, kw = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if c_in % groups or c_out % groups:
        raise ValueError("groups")
    per_output = c_in // groups * kh * kw
    return c_out * per_output, c_out * h_out * w_out * per_output
