import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {
        "relu, random sizes": "wrong_answer",
        "hidden size 1, relu": "wrong_answer",
        "large relu pre-activations": "wrong_answer",
    },
    "diagnosis": {
        "en": 'nonlinearity="relu" is ignored: the step always applies tanh',
        "zh": '忽略了 nonlinearity="relu"：总是用 tanh 激活',
    },
}


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    pre = x @ w_ih.T + h @ w_hh.T
    for b in (b_ih, b_hh):
        if b is not None:
            pre = pre + b
    return torch.tanh(pre)
