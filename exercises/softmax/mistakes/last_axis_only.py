import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "dim=0 on a 3-D input": "wrong_answer",
        "dim=1 on a 4-D input": "wrong_answer",
        "negative dim=-2": "wrong_answer",
    },
    "messages": {"dim=0 on a 3-D input": "does not sum to 1 along dim=0"},
    "diagnosis": {
        "en": "the softmax is taken along the last axis whatever dim says",
        "zh": "无论 dim 是多少，都沿最后一维计算了 softmax",
    },
}


def softmax(x, dim=-1):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
