import numpy as np


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    pre = x @ w_ih.T + h @ w_hh.T
    for b in (b_ih, b_hh):
        if b is not None:
            pre = pre + b
    return np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0)
