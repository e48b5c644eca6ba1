import numpy as np


def se_block(
    x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    squeezed = x.mean(axis=(2, 3))
    hidden = np.maximum(squeezed @ w1.T + b1, 0)
    scale = 0.5 * (1 + np.tanh((hidden @ w2.T + b2) / 2))
    return x * scale[:, :, None, None]
