import math

import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: two heads, self-attention": "wrong_answer",
        "a single head": "wrong_answer",
    },
    "diagnosis": {
        "en": "the concatenated heads are returned without the output projection (w_out, b_out)",
        "zh": "把各头拼接后直接返回了，缺少输出投影（w_out、b_out）",
    },
}


def multi_head_attention(
    q_in, k_in, v_in, num_heads, w_in, b_in, w_out, b_out, key_padding_mask=None, attn_mask=None
):
    n, t, e = q_in.shape
    s, d = k_in.shape[1], e // num_heads
    w, b = w_in.chunk(3), b_in.chunk(3)
    q = (q_in @ w[0].T + b[0]).reshape(n, t, num_heads, d).transpose(1, 2)
    k = (k_in @ w[1].T + b[1]).reshape(n, s, num_heads, d).transpose(1, 2)
    v = (v_in @ w[2].T + b[2]).reshape(n, s, num_heads, d).transpose(1, 2)
    scores = q @ k.transpose(-1, -2) / math.sqrt(d)
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask, float("-inf"))
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    weights = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    weights = weights / weights.sum(dim=-1, keepdim=True)
    return (weights @ v).transpose(1, 2).reshape(n, t, e)
