import math

import torch


def multi_head_attention(
    query,
    key,
    value,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    key_padding_mask=None,
    attn_mask=None,
):
    n, t, e = query.shape
    s, d = key.shape[1], e // num_heads
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)

    def heads(x, w, b, length):  # (N, T, E) -> (N, heads, T, d)
        x = x @ w.T if b is None else x @ w.T + b
        return x.reshape(n, length, num_heads, d).transpose(1, 2)

    q, k, v = heads(query, w_q, b_q, t), heads(key, w_k, b_k, s), heads(value, w_v, b_v, s)
    scores = q @ k.transpose(-1, -2) / math.sqrt(d)
    blocked = torch.zeros(n, 1, t, s, dtype=torch.bool, device=query.device)
    if attn_mask is not None:
        blocked = blocked | attn_mask
    if key_padding_mask is not None:
        blocked = blocked | key_padding_mask[:, None, None, :]
    scores = scores.masked_fill(blocked, float("-inf"))
    weights = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    weights = weights / weights.sum(dim=-1, keepdim=True)
    out = (weights @ v).transpose(1, 2).reshape(n, t, e) @ out_proj_weight.T
    return out if out_proj_bias is None else out + out_proj_bias
