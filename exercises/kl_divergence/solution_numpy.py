import numpy as np


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)  # the largest logit becomes 0: exp cannot overflow
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def kl_divergence(p_logits: np.ndarray, q_logits: np.ndarray) -> np.ndarray:
    log_p, log_q = _log_softmax(p_logits), _log_softmax(q_logits)
    keep = log_p > -np.inf  # P = 0 contributes 0, never 0 · (-inf) = NaN
    diff = np.subtract(log_p, log_q, out=np.zeros_like(log_p), where=keep)
    return (np.exp(log_p) * diff).sum(axis=-1)
