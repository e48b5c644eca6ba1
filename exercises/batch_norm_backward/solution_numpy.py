import numpy as np


def batch_norm_backward(dy: np.ndarray, x: np.ndarray, weight: np.ndarray, eps: float = 1e-5):
    n = x.shape[0]
    centred = x - x.mean(axis=0)
    inv_std = 1 / np.sqrt((centred * centred).mean(axis=0) + eps)
    x_hat = centred * inv_std
    dbias = dy.sum(axis=0)
    dweight = (dy * x_hat).sum(axis=0)
    dx = (weight * inv_std / n) * (n * dy - dbias - x_hat * dweight)
    return dx, dweight, dbias
