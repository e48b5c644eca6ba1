import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: three examples, one channel": "wrong_answer",
        "a batch of two": "wrong_answer",
        "random sizes": "wrong_answer",
    },
    "diagnosis": {
        "en": "the unbiased variance (divided by N − 1) is used: training-mode batch norm "
        "normalises with the biased one (divided by N)",
        "zh": "用了无偏方差（除以 N − 1）：训练模式的 BatchNorm 用有偏方差（除以 N）归一化",
    },
}


def batch_norm_backward(dy, x, weight, eps=1e-5):
    n = x.shape[0]
    var, mean = torch.var_mean(x, dim=0, correction=1)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    dbias = dy.sum(dim=0)
    dweight = (dy * x_hat).sum(dim=0)
    dx = weight * inv_std / n * (n * dy - dbias - x_hat * dweight)
    return dx, dweight, dbias
