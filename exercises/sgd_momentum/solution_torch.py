import torch


def sgd_step(param, grad, buf, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    d = torch.add(grad, param, alpha=weight_decay)
    new_buf = None
    if momentum != 0:
        new_buf = d if buf is None else momentum * buf + (1 - dampening) * d
        d = d + momentum * new_buf if nesterov else new_buf
    return param - lr * d, new_buf
