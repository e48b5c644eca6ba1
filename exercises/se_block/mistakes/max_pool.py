import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: 2 channels, 2x2 maps": "wrong_answer",
        "random sizes and reduction": "wrong_answer",
    },
    "diagnosis": {
        "en": "the squeeze takes the maximum of each map: SENet squeezes by global average pooling",
        "zh": "挤压时取了每个特征图的最大值：SENet 用的是全局平均池化",
    },
}


def se_block(x, w1, b1, w2, b2):
    hidden = np.maximum(x.max(axis=(2, 3)) @ w1.T + b1, 0)
    scale = 1 / (1 + np.exp(-(hidden @ w2.T + b2)))
    return x * scale[:, :, None, None]
