import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: default gamma and alpha": "wrong_answer",
        "random sizes, default gamma and alpha": "wrong_answer",
    },
    "diagnosis": {
        "en": "alpha multiplies every term; α_t is α where the target is 1 and 1 - α where it is 0",
        "zh": "alpha 乘在了所有项上；α_t 在目标为 1 处是 α，在目标为 0 处是 1 - α",
    },
}


def focal_loss(logits, target, gamma=2.0, alpha=0.25):
    tail = np.log1p(np.exp(-np.abs(logits)))
    ce = np.maximum(logits, 0) - logits * target + tail
    p = np.exp(-(np.maximum(-logits, 0) + tail))
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = alpha * loss
    return loss.mean()
