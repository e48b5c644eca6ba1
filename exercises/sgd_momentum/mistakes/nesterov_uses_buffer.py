import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: Nesterov, first step": "wrong_answer",
        "Nesterov on a later step with weight decay": "wrong_answer",
    },
    "diagnosis": {
        "en": "Nesterov steps along the buffer alone: its direction is grad + momentum * buf",
        "zh": "Nesterov 只沿动量缓冲方向更新：正确的方向是 grad + momentum * buf",
    },
}


def sgd_step(param, grad, buf, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    d = grad + weight_decay * param
    new_buf = None
    if momentum != 0:
        new_buf = np.array(d) if buf is None else momentum * buf + (1 - dampening) * d
        d = new_buf
    return param - lr * d, new_buf
