MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"training, p=1: all zeros": "invalid_output"},
    "messages": {"training, p=1: all zeros": "NaN"},
    "diagnosis": {
        "en": "with p = 1 the division by 1 − p = 0 gives 0 / 0 = NaN: every entry is dropped, "
        "so return zeros",
        "zh": "p = 1 时除以 1 − p = 0 得到 0 / 0 = NaN：所有元素都被丢弃，应直接返回全 0",
    },
}


def dropout(x, p, training, keep):
    if not training:
        return x
    return x * keep / (1 - p)
