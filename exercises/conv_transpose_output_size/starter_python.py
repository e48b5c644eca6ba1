def conv_transpose2d_output_size(
    h, w, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
):
    """Return (h_out, w_out) as nn.ConvTranspose2d produces; ValueError where it refuses."""
    raise NotImplementedError
