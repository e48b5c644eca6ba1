def conv2d_cost(c_in, c_out, kernel_size, h_out, w_out, groups=1, bias=True):
    kh, kw = tuple(kernel_size) if isinstance(kernel_size, tuple | list) else (kernel_size,) * 2
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError("groups must divide both c_in and c_out")
    per_output = (c_in // groups) * kh * kw  # weights behind one output value
    params = c_out * per_output + (c_out if bias else 0)
    return params, c_out * h_out * w_out * per_output
