import torch


def max_pool2d(
    x: torch.Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False
) -> torch.Tensor:
    """Return F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode), vectorised."""
    raise NotImplementedError
