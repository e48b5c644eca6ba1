def conv2d_cost(c_in, c_out, kernel_size, h_out, w_out, groups=1, bias=True):
    """Return (params, mult_adds) of one Conv2d layer; ValueError if groups divides not both."""
    raise NotImplementedError
