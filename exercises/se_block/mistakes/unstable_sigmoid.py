import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"large excitation logits (sigmoid saturates)": "invalid_output"},
    "messages": {"large excitation logits (sigmoid saturates)": "NaN"},
    "diagnosis": {
        "en": "sigmoid written as exp(t) / (1 + exp(t)) gives inf / inf = NaN for large t: use 1 / (1 + exp(-t)) or torch.sigmoid",
        "zh": "把 sigmoid 写成 exp(t) / (1 + exp(t))，t 很大时得到 inf / inf = NaN：应使用 1 / (1 + exp(-t)) 或 torch.sigmoid",
    },
}


def se_block(x, w1, b1, w2, b2):
    hidden = torch.relu(x.mean(dim=(2, 3)) @ w1.T + b1)
    e = torch.exp(hidden @ w2.T + b2)
    return x * (e / (1 + e))[:, :, None, None]
