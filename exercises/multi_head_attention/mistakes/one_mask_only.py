import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"random attn_mask and key_padding_mask together": "wrong_answer"},
    "diagnosis": {
        "en": "only one of the masks is applied when both are given; a key is blocked when attn_mask OR key_padding_mask says so",
        "zh": "两个 mask 同时给出时只用了其中一个；attn_mask 或 key_padding_mask 任一屏蔽某个 key，它就不能被关注",
    },
}


def multi_head_attention(
    q_in, k_in, v_in, num_heads, w_in, b_in, w_out, b_out, key_padding_mask=None, attn_mask=None
):
    n, t, e = q_in.shape
    s, d = k_in.shape[1], e // num_heads
    w = np.split(w_in, 3)
    b = (0, 0, 0) if b_in is None else np.split(b_in, 3)
    q = (q_in @ w[0].T + b[0]).reshape(n, t, num_heads, d).transpose(0, 2, 1, 3)
    k = (k_in @ w[1].T + b[1]).reshape(n, s, num_heads, d).transpose(0, 2, 1, 3)
    v = (v_in @ w[2].T + b[2]).reshape(n, s, num_heads, d).transpose(0, 2, 1, 3)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(np.float32(d))
    if attn_mask is not None:
        scores = np.where(attn_mask, -np.inf, scores)
    elif key_padding_mask is not None:
        scores = np.where(key_padding_mask[:, None, None, :], -np.inf, scores)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    out = (weights @ v).transpose(0, 2, 1, 3).reshape(n, t, e) @ w_out.T
    return out if b_out is None else out + b_out
