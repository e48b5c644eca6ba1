import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: 2 channels, 2x2 maps": "wrong_answer",
        "non-square maps": "wrong_answer",
    },
    "diagnosis": {
        "en": "the gates are computed at every spatial position: squeeze each channel to one number first, then rescale the whole channel",
        "zh": "在每个空间位置分别计算了门控：应先把每个通道挤压成一个数，再对整个通道统一缩放",
    },
}


def se_block(x, w1, b1, w2, b2):
    pixels = x.transpose(0, 2, 3, 1)
    hidden = np.maximum(pixels @ w1.T + b1, 0)
    scale = 1 / (1 + np.exp(-(hidden @ w2.T + b2)))
    return x * scale.transpose(0, 3, 1, 2)
