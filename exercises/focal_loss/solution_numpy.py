import numpy as np


def focal_loss(
    logits: np.ndarray, target: np.ndarray, gamma: float = 2.0, alpha: float = 0.25
) -> np.ndarray:
    tail = np.log1p(np.exp(-np.abs(logits)))  # log(1 + e^-|x|) never overflows
    ce = np.maximum(logits, 0) - logits * target + tail  # -[y log p + (1 - y) log(1 - p)]
    p = np.exp(-(np.maximum(-logits, 0) + tail))  # sigmoid(x) = exp(log sigmoid(x))
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return loss.mean()
