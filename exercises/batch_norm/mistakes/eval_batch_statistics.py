import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: eval, (N, C)": "wrong_answer",
        "eval, (N, C)": "wrong_answer",
        "eval, (N, C, H, W)": "wrong_answer",
    },
    "messages": {"eval, (N, C)": "wrong part: y"},
    "diagnosis": {
        "en": "eval mode normalises with the batch's own statistics: it must use running_mean "
        "and running_var",
        "zh": "推理（eval）模式下用了当前 batch 的均值和方差：应使用 running_mean 和 running_var",
    },
}


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    dims = (0,) + tuple(range(2, x.dim()))
    shape = (1, -1) + (1,) * (x.dim() - 2)
    var, mean = torch.var_mean(x, dim=dims, correction=0)
    if training:
        n = x.numel() // x.shape[1]
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    y = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
    if weight is not None:
        y = y * weight.view(shape)
    if bias is not None:
        y = y + bias.view(shape)
    return y, running_mean, running_var
