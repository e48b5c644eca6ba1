import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: two heads, self-attention": "wrong_answer",
        "eight heads, larger batch": "wrong_answer",
    },
    "diagnosis": {
        "en": "the scores are divided by sqrt(E); each head scales by the square root of its own dimension, sqrt(E / num_heads)",
        "zh": "打分除以了 sqrt(E)；每个头应除以自身维度的平方根 sqrt(E / num_heads)",
    },
}


def multi_head_attention(
    q_in, k_in, v_in, num_heads, w_in, b_in, w_out, b_out, key_padding_mask=None, attn_mask=None
):
    n, t, e = q_in.shape
    s, d = k_in.shape[1], e // num_heads
    w, b = np.split(w_in, 3), np.split(b_in, 3)
    q = (q_in @ w[0].T + b[0]).reshape(n, t, num_heads, d).transpose(0, 2, 1, 3)
    k = (k_in @ w[1].T + b[1]).reshape(n, s, num_heads, d).transpose(0, 2, 1, 3)
    v = (v_in @ w[2].T + b[2]).reshape(n, s, num_heads, d).transpose(0, 2, 1, 3)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(np.float32(e))
    if attn_mask is not None:
        scores = np.where(attn_mask, -np.inf, scores)
    if key_padding_mask is not None:
        scores = np.where(key_padding_mask[:, None, None, :], -np.inf, scores)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return (weights @ v).transpose(0, 2, 1, 3).reshape(n, t, e) @ w_out.T + b_out
