MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: one row": "wrong_answer",
        "2-D input, default dim": "wrong_answer",
        "dy constant along dim: dx is 0": "wrong_answer",
    },
    "diagnosis": {
        "en": "only the diagonal of the Jacobian (y·(1 − y)) is used: each x_i also moves every "
        "other y_j (∂y_j/∂x_i = −y_j·y_i)",
        "zh": "只用了雅可比矩阵的对角线 y·(1 − y)：每个 x_i 还会影响其他所有 y_j（∂y_j/∂x_i = −y_j·y_i）",
    },
}


def softmax_backward(y, dy, dim=-1):
    return y * (1 - y) * dy
