import math

import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: key_padding_mask hides the last key": "wrong_answer",
        "key_padding_mask": "wrong_answer",
        "causal attn_mask": "wrong_answer",
    },
    "diagnosis": {
        "en": "the masks are read as True = may attend; nn.MultiheadAttention's bool masks mean True = NOT allowed",
        "zh": "把 mask 理解成 True = 可以关注；nn.MultiheadAttention 的布尔 mask 中 True 表示不允许关注",
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
    # As in the Annotated Transformer, where 1 marks the positions to keep.
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask == 0, -1e9)
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :] == 0, -1e9)
    weights = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    weights = weights / weights.sum(dim=-1, keepdim=True)
    return (weights @ v).transpose(1, 2).reshape(n, t, e) @ w_out.T + b_out
