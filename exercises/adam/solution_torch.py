import math

import torch


def adam_step(
    param,
    grad,
    m,
    v,
    step,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    decoupled=False,
):
    beta1, beta2 = betas
    if decoupled:
        param = param * (1 - lr * weight_decay)
    elif weight_decay != 0:
        grad = grad + weight_decay * param
    m = torch.lerp(m, grad, 1 - beta1)
    v = beta2 * v + (1 - beta2) * torch.square(grad)
    denom = torch.sqrt(v) / math.sqrt(1 - beta2**step) + eps
    return param - lr / (1 - beta1**step) * m / denom, m, v
