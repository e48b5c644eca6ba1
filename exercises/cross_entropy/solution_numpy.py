import numpy as np


def cross_entropy(
    logits: np.ndarray, target: np.ndarray, label_smoothing: float = 0.0
) -> np.ndarray:
    # Subtracting each row's max changes no log-probability and makes every exp() at most 1.
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(len(target)), target]
    if label_smoothing:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(axis=1)
    return loss.mean()
