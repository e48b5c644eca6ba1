import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "causal mask": "wrong_answer",
        "(L, S) mask broadcast over batch and heads": "wrong_answer",
    },
    "diagnosis": {
        "en": "the mask is inverted: True must mean 'may attend' here (PyTorch's nn.MultiheadAttention uses the opposite)",
        "zh": "mask 的含义反了：这里 True 表示“可以关注”（nn.MultiheadAttention 的约定正好相反）",
    },
}


def scaled_dot_product_attention(q, k, v, mask=None):
    s = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
    if mask is not None:
        # Rows left with nothing allowed get a uniform average instead of NaN.
        s = s.masked_fill(mask & ~mask.all(dim=-1, keepdim=True), float("-inf"))
    w = torch.exp(s - s.amax(dim=-1, keepdim=True))
    return (w / w.sum(dim=-1, keepdim=True)) @ v
