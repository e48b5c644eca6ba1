import math

import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"base=100.0": "wrong_answer", "base 2.0 given positionally": "wrong_answer"},
    "diagnosis": {
        "en": "the base argument is ignored: the frequencies always use 10000",
        "zh": "忽略了参数 base：频率总是按 10000 计算",
    },
}


def sinusoidal_positional_encoding(length, d_model, base=10000.0):
    if d_model % 2:
        raise ValueError("d_model must be even")
    position = np.arange(length, dtype=np.float32)[:, None]
    div = np.exp(
        np.arange(0, d_model, 2, dtype=np.float32) * np.float32(-math.log(10000.0) / d_model)
    )
    table = np.zeros((length, d_model), dtype=np.float32)
    table[:, 0::2] = np.sin(position * div)
    table[:, 1::2] = np.cos(position * div)
    return table
