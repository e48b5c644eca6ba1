MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: two rows, one-hot upstream gradient": "wrong_answer",
        "2-D input, default dim": "wrong_answer",
        "dim=1 on a 4-D input": "wrong_answer",
    },
    "diagnosis": {
        "en": "the sum Σ_j y_j·dy_j is taken over the batch axis (0) instead of along dim",
        "zh": "Σ_j y_j·dy_j 沿批量维（第 0 维）求和了，而不是沿 dim",
    },
}


def softmax_backward(y, dy, dim=-1):
    return y * (dy - (y * dy).sum(dim=0, keepdim=True))
