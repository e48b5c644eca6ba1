import torch

MISTAKE = {
    "framework": "torch",
    "expect": {"sample: hidden size 1": "wrong_answer", "random sizes": "wrong_answer"},
    "diagnosis": {
        "en": "the gates are read as (update, reset, new); nn.GRUCell stacks them as reset, update, new",
        "zh": "门按 (更新门, 重置门, 候选) 的顺序读取了；nn.GRUCell 的顺序是 重置门、更新门、候选状态",
    },
}


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    i_z, i_r, i_n = gi.chunk(3, dim=1)
    h_z, h_r, h_n = gh.chunk(3, dim=1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h
