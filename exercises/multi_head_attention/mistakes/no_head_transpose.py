import math

import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: two heads, self-attention": "wrong_answer",
        "cross-attention, L != S": "wrong_answer",
    },
    "diagnosis": {
        "en": "the heads are split by reshaping (N, L, E) straight to (N, heads, L, d); split the last axis into (heads, d) first, then transpose",
        "zh": "直接把 (N, L, E) reshape 成 (N, heads, L, d) 来分头了；应先把最后一维拆成 (heads, d)，再交换维度",
    },
}


def multi_head_attention(
    q_in, k_in, v_in, num_heads, w_in, b_in, w_out, b_out, key_padding_mask=None, attn_mask=None
):
    n, t, e = q_in.shape
    s, d = k_in.shape[1], e // num_heads
    w, b = w_in.chunk(3), b_in.chunk(3)
    q = (q_in @ w[0].T + b[0]).reshape(n, num_heads, t, d)
    k = (k_in @ w[1].T + b[1]).reshape(n, num_heads, s, d)
    v = (v_in @ w[2].T + b[2]).reshape(n, num_heads, s, d)
    scores = q @ k.transpose(-1, -2) / math.sqrt(d)
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask, float("-inf"))
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
    weights = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    weights = weights / weights.sum(dim=-1, keepdim=True)
    return (weights @ v).reshape(n, t, e) @ w_out.T + b_out
