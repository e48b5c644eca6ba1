MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: eval, p=0.5": "wrong_answer",
        "eval: x unchanged": "wrong_answer",
        "eval, p=1: x unchanged": "wrong_answer",
    },
    "diagnosis": {
        "en": "eval mode scales by 1 − p: that is classic dropout; inverted dropout already "
        "rescaled in training, so eval returns x unchanged",
        "zh": "推理模式乘了 1 − p：那是原始 dropout 的做法；inverted dropout 在训练时已经放大过，推理时原样返回 x",
    },
}


def dropout(x, p, training, keep):
    if not training:
        return x * (1 - p)
    if p == 1:
        return x * 0
    return x * keep / (1 - p)
