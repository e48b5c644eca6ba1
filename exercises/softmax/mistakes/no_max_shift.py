import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "stable for large logits": "invalid_output",
        "large logits and -inf along dim=0": "invalid_output",
    },
    "messages": {"stable for large logits": "first NaN at index ("},
    "diagnosis": {
        "en": "softmax without subtracting the max: exp overflows for large logits (inf / inf = NaN)",
        "zh": "没有先减去最大值：logits 很大时 exp 溢出（inf / inf 得到 NaN）",
    },
}


def softmax(x, dim=-1):
    e = np.exp(x)
    return e / e.sum(axis=dim, keepdims=True)
