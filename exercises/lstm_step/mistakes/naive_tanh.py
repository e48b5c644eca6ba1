import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"stable for large pre-activations (saturated gates)": "invalid_output"},
    "messages": {"stable for large pre-activations (saturated gates)": "first NaN"},
    "diagnosis": {
        "en": "tanh written as a ratio of exponentials overflows for large pre-activations (inf / inf = NaN)",
        "zh": "用指数之比手写 tanh，预激活值很大时溢出（inf / inf 得到 NaN）",
    },
}


def tanh(z):
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, g, o = np.split(gates, 4, axis=1)
    c_next = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c_next), c_next
