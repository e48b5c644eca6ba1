MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {
        "groups not dividing C raises ValueError": "wrong_answer",
        "groups > C raises ValueError": "wrong_answer",
    },
    "messages": {
        "groups not dividing C raises ValueError": "expected ValueError, but RuntimeError was raised"
    },
    "diagnosis": {
        "en": "groups that do not divide C are not rejected: check C % groups and raise ValueError",
        "zh": "没有检查 groups 能否整除 C：应检查 C % groups 并抛出 ValueError",
    },
}


def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)
