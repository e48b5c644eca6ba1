import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: four examples, two channels": "wrong_answer",
        "random sizes": "wrong_answer",
        "dy constant over the batch: dx is 0": "wrong_answer",
    },
    "messages": {"random sizes": "wrong part: dx (correct: dweight, dbias)"},
    "diagnosis": {
        "en": "dx = dy · w / sqrt(var + eps) treats the batch mean and variance as constants: "
        "both depend on every x, which adds the −mean(dŷ) and −x̂·mean(dŷ·x̂) terms",
        "zh": "dx = dy · w / sqrt(var + eps) 把 batch 的均值和方差当成了常数：它们依赖每一个 x，"
        "因此还要加上 −mean(dŷ) 和 −x̂·mean(dŷ·x̂) 两项",
    },
}


def batch_norm_backward(dy, x, weight, eps=1e-5):
    mean, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return dy * weight / np.sqrt(var + eps), (dy * x_hat).sum(axis=0), dy.sum(axis=0)
