import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"1-D input": "invalid_output", "sample: one row": "invalid_output"},
    "messages": {"1-D input": "expected dtype float32, got float64"},
    "diagnosis": {
        "en": "the result is float64: compute in float64 if you like, but return float32",
        "zh": "返回了 float64：中间可以用 float64 计算，但结果要转回 float32",
    },
}


def softmax(x, dim=-1):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)
