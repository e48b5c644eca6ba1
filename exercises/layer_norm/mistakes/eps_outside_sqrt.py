import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "non-default eps=0.1": "wrong_answer",
        "tiny variance: eps matters": "wrong_answer",
    },
    "diagnosis": {
        "en": "eps is added to the standard deviation: it belongs inside the square root, "
        "(x − mean) / sqrt(var + eps)",
        "zh": "eps 加在了标准差上：它应在平方根里面，(x − mean) / sqrt(var + eps)",
    },
}


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    axes = tuple(range(-k, 0))
    y = (x - x.mean(axis=axes, keepdims=True)) / (np.sqrt(x.var(axis=axes, keepdims=True)) + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
