import numpy as np


def _sigmoid(z):
    # Written through tanh, so that no exp overflows for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    gi, gh = x @ w_ih.T, h @ w_hh.T
    if b_ih is not None:
        gi, gh = gi + b_ih, gh + b_hh
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    h_r, h_z, h_n = np.split(gh, 3, axis=1)
    r, z = _sigmoid(i_r + h_r), _sigmoid(i_z + h_z)
    n = np.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h
