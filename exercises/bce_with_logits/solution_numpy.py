import numpy as np


def bce_with_logits(
    logits: np.ndarray, target: np.ndarray, pos_weight: np.ndarray | None = None
) -> np.ndarray:
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): exp never sees a large positive argument.
    log1p_exp = np.log1p(np.exp(-np.abs(logits)))
    neg_log_p = np.maximum(-logits, 0) + log1p_exp  # -log sigmoid(x)
    neg_log_not_p = np.maximum(logits, 0) + log1p_exp  # -log(1 - sigmoid(x))
    w = 1.0 if pos_weight is None else pos_weight
    return (w * target * neg_log_p + (1 - target) * neg_log_not_p).mean()
