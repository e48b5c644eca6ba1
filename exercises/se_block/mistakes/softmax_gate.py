import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: batch of 2, 4 channels, r = 2": "wrong_answer",
        "batch of 8, 16 channels, r = 4": "wrong_answer",
    },
    "diagnosis": {
        "en": "the gates are a softmax over channels: each channel needs its own sigmoid gate in (0, 1)",
        "zh": "对通道做了 softmax：每个通道应有自己独立的 sigmoid 门控，取值在 (0, 1)",
    },
}


def se_block(x, w1, b1, w2, b2):
    hidden = torch.relu(x.mean(dim=(2, 3)) @ w1.T + b1)
    scale = torch.softmax(hidden @ w2.T + b2, dim=1)
    return x * scale[:, :, None, None]
