import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"input size equals hidden size": "wrong_answer", "a batch of one": "runtime_error"},
    "diagnosis": {
        "en": "the weights are used as (in, out) matrices: nn.RNNCell stores w_ih as (H, I) and w_hh as (H, H), so the step is x @ w_ih.T + h @ w_hh.T",
        "zh": "把权重当成 (输入, 输出) 矩阵直接相乘了：nn.RNNCell 中 w_ih 的形状是 (H, I)、w_hh 是 (H, H)，应计算 x @ w_ih.T + h @ w_hh.T",
    },
}


def rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    pre = x @ w_ih + h @ w_hh + b_ih + b_hh
    return np.tanh(pre) if nonlinearity == "tanh" else np.maximum(pre, 0)
