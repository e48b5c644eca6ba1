MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {"groups=4": "wrong_answer", "depthwise: groups = c_in = c_out": "wrong_answer"},
    "diagnosis": {
        "en": "the weights are counted as if every output channel saw all c_in inputs: a grouped kernel is (c_out, c_in / groups, kH, kW)",
        "zh": "参数量按每个输出通道连接全部 c_in 个输入通道计算了：分组卷积的权重形状是 (c_out, c_in / groups, kH, kW)",
    },
}


def conv2d_cost(c_in, c_out, kernel_size, h_out, w_out, groups=1, bias=True):
    kh, kw = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if c_in % groups or c_out % groups:
        raise ValueError("groups")
    params = c_out * c_in * kh * kw + (c_out if bias else 0)
    return params, c_out * h_out * w_out * (c_in // groups) * kh * kw
