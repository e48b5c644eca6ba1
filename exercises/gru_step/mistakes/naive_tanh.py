import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"stable for saturated gates": "invalid_output"},
    "messages": {"stable for saturated gates": "NaN"},
    "diagnosis": {
        "en": "tanh written as a ratio of exponentials overflows for large pre-activations (inf / inf = NaN)",
        "zh": "用指数之比手写 tanh，预激活值很大时溢出（inf / inf 得到 NaN）",
    },
}


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    h_r, h_z, h_n = np.split(gh, 3, axis=1)
    r, z = 1 / (1 + np.exp(-(i_r + h_r))), 1 / (1 + np.exp(-(i_z + h_z)))
    a = i_n + r * h_n
    n = (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))
    return (1 - z) * n + z * h
