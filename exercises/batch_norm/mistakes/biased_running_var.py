import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: training, (N, C)": "wrong_answer",
        "training, (N, C)": "wrong_answer",
        "a batch of two": "wrong_answer",
    },
    "messages": {"a batch of two": "wrong part: running_var"},
    "diagnosis": {
        "en": "the biased batch variance goes into running_var: the running average takes the "
        "unbiased one (× n / (n − 1)), only the normalisation uses the biased one",
        "zh": "running_var 里累积的是有偏方差：滑动平均要用无偏方差（× n / (n − 1)），只有归一化用有偏方差",
    },
}


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y, running_mean, running_var
