import numpy as np


def focal_loss(
    logits: np.ndarray, target: np.ndarray, gamma: float = 2.0, alpha: float = 0.25
) -> np.ndarray:
    """Mean binary focal loss of sigmoid(logits) against 0/1 targets; alpha < 0: no weighting."""
    raise NotImplementedError
