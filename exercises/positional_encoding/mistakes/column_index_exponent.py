import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"sample: length 4, d_model 4": "wrong_answer", "random sizes": "wrong_answer"},
    "diagnosis": {
        "en": "the exponent uses the column index j (base^(2j/d)); both columns 2i and 2i+1 of a pair share the frequency base^(2i/d)",
        "zh": "指数用了列下标 j（base^(2j/d)）；同一对的第 2i 列和第 2i+1 列应共用频率 base^(2i/d)",
    },
}


def sinusoidal_positional_encoding(length, d_model, base=10000.0):
    if d_model % 2:
        raise ValueError("d_model must be even")
    angle = np.arange(length)[:, None] / base ** (2 * np.arange(d_model) / d_model)
    table = np.sin(angle)
    table[:, 1::2] = np.cos(angle[:, 1::2])
    return table.astype(np.float32)
