import math

import numpy as np


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
    w_q, w_k, w_v = np.split(in_proj_weight, 3)
    b_q, b_k, b_v = (0, 0, 0) if in_proj_bias is None else np.split(in_proj_bias, 3)

    def heads(x, w, b, length):  # (N, T, E) -> (N, heads, T, d)
        return (x @ w.T + b).reshape(n, length, num_heads, d).transpose(0, 2, 1, 3)

    q, k, v = heads(query, w_q, b_q, t), heads(key, w_k, b_k, s), heads(value, w_v, b_v, s)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(d))
    blocked = np.zeros((n, 1, t, s), dtype=bool)
    if attn_mask is not None:
        blocked = blocked | attn_mask
    if key_padding_mask is not None:
        blocked = blocked | key_padding_mask[:, None, None, :]
    scores = np.where(blocked, -np.inf, scores)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    out = (weights @ v).transpose(0, 2, 1, 3).reshape(n, t, e) @ out_proj_weight.T
    return out if out_proj_bias is None else out + out_proj_bias
