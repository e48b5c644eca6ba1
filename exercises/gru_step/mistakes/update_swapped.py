import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"sample: batch of 2, hidden size 2": "wrong_answer", "random sizes": "wrong_answer"},
    "diagnosis": {
        "en": "the update gate's roles are swapped: nn.GRUCell keeps z of the old state, h' = (1 - z) * n + z * h",
        "zh": "更新门的作用反了：nn.GRUCell 中 z 保留旧状态，h' = (1 - z) * n + z * h",
    },
}


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    h_r, h_z, h_n = np.split(gh, 3, axis=1)
    r, z = 1 / (1 + np.exp(-(i_r + h_r))), 1 / (1 + np.exp(-(i_z + h_z)))
    n = np.tanh(i_n + r * h_n)
    return z * n + (1 - z) * h
