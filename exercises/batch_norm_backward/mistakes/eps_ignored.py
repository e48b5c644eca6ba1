import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "non-default eps=0.5": "wrong_answer",
        "tiny variance: eps matters": "wrong_answer",
    },
    "diagnosis": {
        "en": "eps is left out of the standard deviation: the forward pass divides by "
        "sqrt(var + eps), so the gradients must too",
        "zh": "标准差里漏掉了 eps：前向除以 sqrt(var + eps)，梯度也必须如此",
    },
}


def batch_norm_backward(dy, x, weight, eps=1e-5):
    n = x.shape[0]
    inv_std = 1 / np.sqrt(x.var(axis=0))
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbias = dy.sum(axis=0)
    dweight = (dy * x_hat).sum(axis=0)
    dx = weight * inv_std / n * (n * dy - dbias - x_hat * dweight)
    return dx, dweight, dbias
