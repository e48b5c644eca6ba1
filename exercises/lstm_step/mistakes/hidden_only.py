import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"a batch of one": "invalid_output"},
    "messages": {"a batch of one": "expected a tuple (h_next, c_next), got ndarray"},
    "diagnosis": {
        "en": "only h_next is returned; the step returns the pair (h_next, c_next)",
        "zh": "只返回了 h_next；这一步应返回 (h_next, c_next) 两个值",
    },
}


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = np.split(gates, 4, axis=1)
    s = 1 / (1 + np.exp(-i)), 1 / (1 + np.exp(-f)), 1 / (1 + np.exp(-o))
    c_next = s[1] * c + s[0] * np.tanh(g)
    return (s[2] * np.tanh(c_next)).astype(np.float32)
