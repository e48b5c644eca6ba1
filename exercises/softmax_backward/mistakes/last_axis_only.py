import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "dim=0 on a 3-D input": "wrong_answer",
        "dim=1 on a 4-D input": "wrong_answer",
        "negative dim=-2": "wrong_answer",
    },
    "diagnosis": {
        "en": "the sum is always taken along the last axis, whatever dim says",
        "zh": "无论 dim 是多少，都沿最后一维求和",
    },
}


def softmax_backward(y, dy, dim=-1):
    return y * (dy - np.sum(y * dy, axis=-1, keepdims=True))
