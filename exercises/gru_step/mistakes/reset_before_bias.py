import torch

MISTAKE = {
    "framework": "torch",
    "expect": {"sample: hidden size 1": "wrong_answer", "random sizes": "wrong_answer"},
    "diagnosis": {
        "en": "the reset gate multiplies W_hn h only and b_hn is added after it; nn.GRUCell computes r * (W_hn h + b_hn)",
        "zh": "重置门只乘了 W_hn h，b_hn 是乘完之后才加的；nn.GRUCell 计算的是 r * (W_hn h + b_hn)",
    },
}


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[1]
    gi = x @ w_ih.T + b_ih
    gh = h @ w_hh.T
    r = torch.sigmoid(gi[:, :H] + gh[:, :H] + b_hh[:H])
    z = torch.sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H] + b_hh[H : 2 * H])
    n = torch.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :] + b_hh[2 * H :])
    return (1 - z) * n + z * h
