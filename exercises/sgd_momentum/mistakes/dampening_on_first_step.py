import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"first step ignores dampening": "wrong_answer"},
    "diagnosis": {
        "en": "dampening applied on the first step: torch.optim.SGD starts the buffer as the plain gradient",
        "zh": "第一步就乘了 (1 - dampening)：torch.optim.SGD 第一步直接把梯度作为动量缓冲",
    },
}


def sgd_step(param, grad, buf, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    d = grad + weight_decay * param
    new_buf = None
    if momentum != 0:
        previous = np.zeros_like(d) if buf is None else buf
        new_buf = momentum * previous + (1 - dampening) * d
        d = d + momentum * new_buf if nesterov else new_buf
    return param - lr * d, new_buf
