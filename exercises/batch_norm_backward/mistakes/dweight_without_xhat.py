import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: four examples, two channels": "wrong_answer",
        "random sizes": "wrong_answer",
        "one channel": "wrong_answer",
    },
    "messages": {"random sizes": "wrong part: dweight (correct: dx, dbias)"},
    "diagnosis": {
        "en": "dweight is summed without x̂: y = w · x̂ + b, so dweight = Σ_n dy · x̂",
        "zh": "dweight 求和时漏掉了 x̂：y = w · x̂ + b，所以 dweight = Σ_n dy · x̂",
    },
}


def batch_norm_backward(dy, x, weight, eps=1e-5):
    n = x.shape[0]
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbias = dy.sum(axis=0)
    dx = weight * inv_std / n * (n * dy - dbias - x_hat * (dy * x_hat).sum(axis=0))
    return dx, dy.sum(axis=0), dbias
