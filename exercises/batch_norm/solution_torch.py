import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    dims = (0,) + tuple(range(2, x.dim()))
    per_channel = (1, -1) + (1,) * (x.dim() - 2)
    if training:
        var, mean = torch.var_mean(x, dim=dims, correction=0)
        n = x.numel() // x.shape[1]
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * (n / (n - 1))
    else:
        mean, var = running_mean, running_var
    y = (x - mean.view(per_channel)) * torch.rsqrt(var.view(per_channel) + eps)
    if weight is not None:
        y = y * weight.view(per_channel)
    if bias is not None:
        y = y + bias.view(per_channel)
    return y, running_mean.clone(), running_var.clone()
