import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: training, (N, C)": "wrong_answer",
        "training, (N, C)": "wrong_answer",
        "training, momentum=1: running stats become the batch's": "wrong_answer",
    },
    "messages": {"training, (N, C)": "wrong parts: running_mean, running_var (correct: y)"},
    "diagnosis": {
        "en": "momentum weighs the old running value: PyTorch's update is "
        "new = (1 − momentum) · old + momentum · batch",
        "zh": "momentum 乘在了旧的滑动值上：PyTorch 的更新是 new = (1 − momentum) · old + momentum · batch",
    },
}


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        n = x.size // x.shape[1]
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y, running_mean, running_var
