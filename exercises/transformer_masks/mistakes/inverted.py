import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: padding only": "wrong_answer",
        "causal and padding, random lengths": "wrong_answer",
    },
    "diagnosis": {
        "en": "the mask is inverted (PyTorch's True = blocked); here True means the query may attend to the key",
        "zh": "mask 取反了（PyTorch 中 True 表示屏蔽）；这里 True 表示 query 可以关注该 key",
    },
}


def transformer_mask(lengths, max_len, causal):
    keys = np.arange(max_len)
    blocked = keys[None, None, :] >= lengths[:, None, None]
    if causal:
        blocked = blocked | (keys[None, :] > keys[:, None])
    return np.broadcast_to(blocked, (len(lengths), max_len, max_len)).copy()
