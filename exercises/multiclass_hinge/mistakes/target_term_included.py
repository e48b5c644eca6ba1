import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: the PyTorch documentation example": "wrong_answer",
        "random sizes": "wrong_answer",
    },
    "diagnosis": {
        "en": "the sum includes j = y, which adds max(0, margin) / C to every example; skip the "
        "target class",
        "zh": "求和时包含了 j = y，每个样本多加了 max(0, margin) / C；应跳过目标类",
    },
}


def multiclass_hinge_loss(scores, target, margin=1.0):
    correct = scores[np.arange(len(target)), target][:, None]
    return np.maximum(0, margin - correct + scores).sum(axis=1).mean() / scores.shape[1]
