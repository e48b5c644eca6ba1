import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: last two dims, with weight and bias": "wrong_answer",
        "last two dims, weight and bias": "wrong_answer",
        "4-D input over (C, H, W)": "wrong_answer",
        "every dim normalised": "wrong_answer",
    },
    "diagnosis": {
        "en": "only the last dim is normalised: the statistics must cover every dim of "
        "normalized_shape",
        "zh": "只在最后一维上归一化：均值和方差要覆盖 normalized_shape 的所有维度",
    },
}


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
