import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: a masked class (-inf)": "invalid_output",
        "-inf logits away from the target": "invalid_output",
    },
    "messages": {"-inf logits away from the target": "NaN"},
    "diagnosis": {
        "en": "one-hot target times log-probabilities: a masked class gives 0 · (-inf) = NaN; "
        "pick the target's log-probability by index instead",
        "zh": "用 one-hot 目标乘以 log 概率：被屏蔽的类得到 0 · (-inf) = NaN；应按下标取出目标类的 log 概率",
    },
}


def cross_entropy(logits, target, label_smoothing=0.0):
    n, c = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    soft = np.full((n, c), label_smoothing / c, dtype=logits.dtype)
    soft[np.arange(n), target] += 1 - label_smoothing
    return -(soft * log_probs).sum(axis=1).mean()
