import torch


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    pre = x @ w_ih.T + h @ w_hh.T
    for b in (b_ih, b_hh):
        if b is not None:
            pre = pre + b
    return torch.tanh(pre) if nonlinearity == "tanh" else torch.relu(pre)
