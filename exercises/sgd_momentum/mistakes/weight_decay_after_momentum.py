MISTAKE = {
    "framework": "torch",
    "expect": {"later step with weight decay and momentum": "wrong_answer"},
    "messages": {"later step with weight decay and momentum": "new_param"},
    "diagnosis": {
        "en": "weight decay added after the momentum buffer: SGD adds weight_decay * param to the gradient first",
        "zh": "权重衰减加在了动量之后：SGD 先把 weight_decay * param 加到梯度上，再更新动量",
    },
}


def sgd_step(param, grad, buf, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    d = grad.clone()
    new_buf = None
    if momentum != 0:
        new_buf = d if buf is None else momentum * buf + (1 - dampening) * d
        d = d + momentum * new_buf if nesterov else new_buf
    return param - lr * (d + weight_decay * param), new_buf
