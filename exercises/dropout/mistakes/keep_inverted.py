MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: training, p=0.5": "wrong_answer",
        "training, p=0.1, 3-D": "wrong_answer",
        "training, p=0: x unchanged": "wrong_answer",
    },
    "messages": {"training, p=0.1, 3-D": "must be 0"},
    "diagnosis": {
        "en": "the mask is read the wrong way round: keep True means the entry is kept",
        "zh": "掩码用反了：keep 为 True 表示保留该元素",
    },
}


def dropout(x, p, training, keep):
    if not training:
        return x
    if p == 1:
        return x * 0
    return x * ~keep / (1 - p)
