import numpy as np


def max_pool2d(
    x: np.ndarray, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False
) -> np.ndarray:
    """Return F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode), vectorised."""
    raise NotImplementedError
