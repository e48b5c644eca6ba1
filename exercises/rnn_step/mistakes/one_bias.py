import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: one sequence, hidden size 2": "wrong_answer",
        "random sizes": "wrong_answer",
    },
    "diagnosis": {
        "en": "only one bias is added: nn.RNNCell adds both b_ih and b_hh",
        "zh": "只加了一个偏置：nn.RNNCell 要同时加上 b_ih 和 b_hh",
    },
}


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    pre = x @ w_ih.T + h @ w_hh.T
    if b_ih is not None:
        pre = pre + b_ih
    return torch.tanh(pre) if nonlinearity == "tanh" else torch.relu(pre)
