import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"sample: two examples": "wrong_answer", "random sizes": "wrong_answer"},
    "diagnosis": {
        "en": "the losses are summed over the batch; F.cross_entropy returns their mean",
        "zh": "对批次中的损失求了和；F.cross_entropy 返回的是平均值",
    },
}


def cross_entropy(logits, target, label_smoothing=0.0):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(len(target)), target]
    if label_smoothing:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(axis=1)
    return loss.sum()
