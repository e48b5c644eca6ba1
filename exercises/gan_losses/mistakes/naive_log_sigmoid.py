import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "stable for logits of ±30": "invalid_output",
        "stable for logits of ±1e4": "invalid_output",
    },
    "diagnosis": {
        "en": "log(sigmoid(x)) computed naively: sigmoid rounds to 0 or 1 for large logits and the log gives inf; use log(1 + e^-x) in a stable form",
        "zh": "直接计算 log(sigmoid(x))：logits 很大时 sigmoid 舍入为 0 或 1，取对数得到 inf；应使用稳定形式的 log(1 + e^-x)",
    },
}


def gan_losses(d_real_logits, d_fake_logits):
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    d_loss = -np.log(sigmoid(d_real_logits)).mean() - np.log(1 - sigmoid(d_fake_logits)).mean()
    g_loss = -np.log(sigmoid(d_fake_logits)).mean()
    return d_loss, g_loss
