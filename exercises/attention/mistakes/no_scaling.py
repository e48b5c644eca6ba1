import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "batch and heads (B, H, L, D)": "wrong_answer",
        "random shapes and ranks": "wrong_answer",
    },
    "messages": {"batch and heads (B, H, L, D)": "result: max abs error "},
    "diagnosis": {
        "en": "the scores are not divided by sqrt(D), so the softmax is too peaked",
        "zh": "打分没有除以 sqrt(D)，softmax 分布过于尖锐",
    },
}


def scaled_dot_product_attention(q, k, v, mask=None):
    s = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    return (w / w.sum(axis=-1, keepdims=True)) @ v
