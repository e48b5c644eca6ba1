def conv2d_output_size(h, w, kernel_size, stride=1, padding=0, dilation=1):
    """Return (h_out, w_out) as nn.Conv2d computes them; raise ValueError for invalid arguments."""
    raise NotImplementedError
