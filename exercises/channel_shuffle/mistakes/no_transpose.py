MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: 6 channels, 3 groups, 2x2 maps": "wrong_answer",
        "random sizes and groups": "wrong_answer",
    },
    "diagnosis": {
        "en": "reshaping to (N, g, C/g, H, W) and back without swapping the two group axes moves nothing",
        "zh": "reshape 成 (N, g, C/g, H, W) 后没有交换这两个维度就 reshape 回去，通道没有被混洗",
    },
}


def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    if c % groups:
        raise ValueError("groups must divide C")
    return x.reshape(n, groups, c // groups, h, w).reshape(n, c, h, w)
