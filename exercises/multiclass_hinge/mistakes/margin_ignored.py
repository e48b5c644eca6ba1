import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"margin=0.5": "wrong_answer", "margin=0: only violations count": "wrong_answer"},
    "diagnosis": {
        "en": "the margin is fixed at 1; use the margin argument",
        "zh": "margin 写死为 1；应使用参数 margin",
    },
}


def multiclass_hinge_loss(scores, target, margin=1.0):
    rows = np.arange(len(target))
    hinge = np.maximum(0, 1.0 - scores[rows, target][:, None] + scores)
    hinge[rows, target] = 0
    return hinge.sum(axis=1).mean() / scores.shape[1]
