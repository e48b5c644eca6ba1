import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "decoupled weight decay (AdamW)": "wrong_answer",
        "AdamW on the first step": "wrong_answer",
    },
    "diagnosis": {
        "en": "AdamW done as L2: decoupled weight decay shrinks the parameter by lr * weight_decay, it is not added to the gradient",
        "zh": "把 AdamW 写成了 L2 正则：解耦的权重衰减直接把参数乘以 1 - lr * weight_decay，而不是加到梯度里",
    },
}


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
    grad = grad + weight_decay * param
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**step)
    v_hat = v / (1 - beta2**step)
    return param - lr * m_hat / (torch.sqrt(v_hat) + eps), m, v
