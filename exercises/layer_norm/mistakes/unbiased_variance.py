import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: two rows, normalized_shape=4": "wrong_answer",
        "2-D, defaults": "wrong_answer",
        "last two dims, weight and bias": "wrong_answer",
    },
    "diagnosis": {
        "en": "the unbiased variance (divided by n − 1) is used: layer norm divides by n",
        "zh": "用了无偏方差（除以 n − 1）：LayerNorm 的方差除以 n",
    },
}


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    axes = tuple(range(-k, 0))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(
        x.var(axis=axes, ddof=1, keepdims=True) + eps
    )
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
