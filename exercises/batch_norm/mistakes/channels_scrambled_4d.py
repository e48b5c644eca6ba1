import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {
        "training, (N, C, H, W)": "wrong_answer",
        "eval, (N, C, H, W)": "wrong_answer",
        "one image (N = 1, 4-D)": "wrong_answer",
    },
    "diagnosis": {
        "en": "a 4-D input is reshaped to (-1, C) without moving C last, which mixes channels: "
        "reduce over dims (0, 2, 3) instead",
        "zh": "把 4 维输入直接 reshape 成 (-1, C)，没有先把 C 移到最后，通道被打乱了：应在 (0, 2, 3) 维上求统计量",
    },
}


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    flat = x.reshape(-1, x.shape[1])
    if training:
        var, mean = torch.var_mean(flat, dim=0, correction=0)
        n = flat.shape[0]
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    y = (flat - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y.reshape(x.shape), running_mean, running_var
