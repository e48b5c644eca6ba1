import numpy as np


def cross_entropy(
    logits: np.ndarray, target: np.ndarray, label_smoothing: float = 0.0
) -> np.ndarray:
    """Mean cross-entropy of softmax(logits) against class indices; finite for logits up to ±1e4."""
    raise NotImplementedError
