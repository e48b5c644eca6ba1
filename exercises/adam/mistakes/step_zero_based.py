import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "first step, default hyperparameters": "invalid_output",
        "later step (step = 10)": "wrong_answer",
    },
    "diagnosis": {
        "en": "bias correction with a 0-based step: step is the 1-based count of this step, so use beta**step",
        "zh": "偏差校正用了从 0 开始的步数：step 是本步从 1 开始的计数，应直接用 beta**step",
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
    if decoupled:
        param = param * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * param
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** (step - 1))
    v_hat = v / (1 - beta2 ** (step - 1))
    return param - lr * m_hat / (torch.sqrt(v_hat) + eps), m, v
