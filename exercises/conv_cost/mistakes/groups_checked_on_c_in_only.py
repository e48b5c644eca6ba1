MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {"groups dividing c_in but not c_out raises ValueError": "wrong_answer"},
    "messages": {"groups dividing c_in but not c_out raises ValueError": "expected ValueError"},
    "diagnosis": {
        "en": "only c_in is checked: groups must divide c_out as well, else raise ValueError",
        "zh": "只检查了 c_in：groups 也必须整除 c_out，否则抛出 ValueError",
    },
}


def conv2d_cost(c_in, c_out, kernel_size, h_out, w_out, groups=1, bias=True):
    kh, kw = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if c_in % groups:
        raise ValueError("groups must divide c_in")
    per_output = c_in // groups * kh * kw
    return c_out * per_output + (c_out if bias else 0), c_out * h_out * w_out * per_output
