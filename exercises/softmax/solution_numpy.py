import numpy as np


def softmax(x: np.ndarray, dim: int = -1) -> np.ndarray:
    shifted = x - np.max(x, axis=dim, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=dim, keepdims=True)
