import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"-inf entries get probability 0": "wrong_answer"},
    "diagnosis": {
        "en": "-inf logits are replaced by a finite floor, so masked entries keep some probability",
        "zh": "把 -inf 换成了一个有限的下限，被屏蔽的位置仍然分到了概率",
    },
}


def softmax(x, dim=-1):
    x = np.where(np.isinf(x), np.float32(-5.0), x)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)
