import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: default gamma and alpha": "wrong_answer",
        "random sizes, default gamma and alpha": "wrong_answer",
    },
    "diagnosis": {
        "en": "p_t is the probability of the true class: p where the target is 1, 1 - p where it "
        "is 0, not p everywhere",
        "zh": "p_t 是真实类别的概率：目标为 1 处是 p，目标为 0 处是 1 - p，而不是处处取 p",
    },
}


def focal_loss(logits, target, gamma=2.0, alpha=0.25):
    tail = np.log1p(np.exp(-np.abs(logits)))
    ce = np.maximum(logits, 0) - logits * target + tail
    p = np.exp(-(np.maximum(-logits, 0) + tail))
    loss = ce * (1 - p) ** gamma
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return loss.mean()
