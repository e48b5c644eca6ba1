import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "stable for logits up to ±1e4": "invalid_output",
        "±1e4 with soft targets": "invalid_output",
    },
    "diagnosis": {
        "en": "log(sigmoid(x)) and log(1 - sigmoid(x)): sigmoid rounds to 0 or 1 for large "
        "|x| and the log gives -inf; use softplus, log(1 + e^z) = max(z, 0) + log1p(e^-|z|)",
        "zh": "直接计算 log(sigmoid(x)) 和 log(1 - sigmoid(x))：|x| 很大时 sigmoid 舍入为 0 或 1，"
        "log 得到 -inf；应使用 softplus：log(1 + e^z) = max(z, 0) + log1p(e^-|z|)",
    },
}


def bce_with_logits(logits, target, pos_weight=None):
    p = 1 / (1 + np.exp(-logits))
    w = 1.0 if pos_weight is None else pos_weight
    return -(w * target * np.log(p) + (1 - target) * np.log(1 - p)).mean()
