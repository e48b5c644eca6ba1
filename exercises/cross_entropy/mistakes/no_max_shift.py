import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "stable for logits up to ±1e4": "invalid_output",
        "±1e4 with label_smoothing=0.2": "invalid_output",
    },
    "diagnosis": {
        "en": "log-sum-exp without subtracting the max: exp overflows for large logits (inf - inf = NaN)",
        "zh": "log-sum-exp 之前没有减去最大值：logits 很大时 exp 溢出（inf - inf 得到 NaN）",
    },
}


def cross_entropy(logits, target, label_smoothing=0.0):
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(len(target)), target]
    if label_smoothing:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(axis=1)
    return loss.mean()
