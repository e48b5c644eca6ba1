import numpy as np


def layer_norm(x: np.ndarray, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    axes = tuple(range(-k, 0))
    centred = x - x.mean(axis=axes, keepdims=True)
    y = centred / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + np.float32(eps))
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
