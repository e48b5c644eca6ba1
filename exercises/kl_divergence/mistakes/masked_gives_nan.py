import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "-inf logits in P contribute 0": "invalid_output",
        "-inf in Q only where P is masked": "invalid_output",
    },
    "messages": {"-inf logits in P contribute 0": "NaN"},
    "diagnosis": {
        "en": "P = 0 (a -inf logit) gives 0 · (-inf) = NaN; such terms contribute 0 by convention",
        "zh": "P = 0（logit 为 -inf）时得到 0 · (-inf) = NaN；按约定这些项贡献 0",
    },
}


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def kl_divergence(p_logits, q_logits):
    log_p, log_q = _log_softmax(p_logits), _log_softmax(q_logits)
    return (np.exp(log_p) * (log_p - log_q)).sum(axis=-1)
