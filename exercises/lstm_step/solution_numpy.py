import numpy as np


def _sigmoid(z):
    # Written through tanh, so that no exp overflows for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = np.split(gates, 4, axis=1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h_next = _sigmoid(o) * np.tanh(c_next)
    return h_next, c_next
