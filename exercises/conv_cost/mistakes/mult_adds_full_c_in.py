MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {"groups=4": "wrong_answer", "depthwise with multiplier 2, no bias": "wrong_answer"},
    "diagnosis": {
        "en": "the multiply-adds use c_in: each output value of a grouped convolution sums over c_in / groups channels only",
        "zh": "乘加次数用了 c_in：分组卷积的每个输出值只对 c_in / groups 个通道求和",
    },
}


def conv2d_cost(c_in, c_out, kernel_size, h_out, w_out, groups=1, bias=True):
    kh, kw = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if c_in % groups or c_out % groups:
        raise ValueError("groups")
    params = c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)
    return params, c_out * h_out * w_out * c_in * kh * kw
