import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: 6 channels, 2 groups": "wrong_answer",
        "15 channels, 5 groups": "wrong_answer",
    },
    "diagnosis": {
        "en": "the channels are viewed as (C/g, g) instead of (g, C/g): this is the inverse shuffle",
        "zh": "把通道视为 (C/g, g) 而不是 (g, C/g)：得到的是逆向混洗",
    },
}


def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    if c % groups:
        raise ValueError("groups must divide C")
    grouped = x.reshape(n, c // groups, groups, h, w)
    return np.ascontiguousarray(grouped.transpose(0, 2, 1, 3, 4)).reshape(n, c, h, w)
