import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "first step, default hyperparameters": "wrong_answer",
        "later step (step = 10)": "wrong_answer",
    },
    "messages": {"first step, default hyperparameters": "new_param"},
    "diagnosis": {
        "en": "no bias correction: divide m by 1 - beta1**step and v by 1 - beta2**step",
        "zh": "没有做偏差校正：m 要除以 1 - beta1**step，v 要除以 1 - beta2**step",
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
    return param - lr * m / (np.sqrt(v) + eps), m, v
