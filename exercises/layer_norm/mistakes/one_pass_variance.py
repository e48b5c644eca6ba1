import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "2-D, defaults": "wrong_answer",
        "normalized_shape a 1-tuple": "wrong_answer",
    },
    "diagnosis": {
        "en": "the variance as mean(x²) − mean(x)² in float32 cancels catastrophically for inputs "
        "far from 0: subtract the mean first",
        "zh": "用 mean(x²) − mean(x)² 在 float32 下算方差，输入远离 0 时发生灾难性抵消：应先减去均值",
    },
}


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    dims = tuple(range(-k, 0))
    mean = x.mean(dim=dims, keepdim=True)
    var = (x * x).mean(dim=dims, keepdim=True) - mean * mean
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
