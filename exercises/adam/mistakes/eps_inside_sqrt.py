import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"tiny gradients: eps is added after the square root": "wrong_answer"},
    "diagnosis": {
        "en": "eps inside the square root: Adam divides by sqrt(v_hat) + eps, which matters for tiny gradients",
        "zh": "把 eps 放进了平方根里：Adam 的分母是 sqrt(v_hat) + eps，梯度很小时差别明显",
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
    m_hat = m / (1 - beta1**step)
    v_hat = v / (1 - beta2**step)
    return param - lr * m_hat / np.sqrt(v_hat + eps), m, v
