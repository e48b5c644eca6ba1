import numpy as np


def _layer_norm(x, weight, bias, eps):
    centred = x - x.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + eps) * weight + bias


def _self_attention(x, p, num_heads):
    n, length, e = x.shape
    d = e // num_heads
    qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
    # (N, L, E) -> (N, H, L, d): split E into heads, then move the head axis before L.
    q, k, v = (
        t.reshape(n, length, num_heads, d).transpose(0, 2, 1, 3) for t in np.split(qkv, 3, -1)
    )
    scores = q @ k.transpose(0, 1, 3, 2) / d**0.5
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    heads = weights / weights.sum(axis=-1, keepdims=True) @ v
    out = heads.transpose(0, 2, 1, 3).reshape(n, length, e)
    return out @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]


def _feed_forward(x, p):
    hidden = np.maximum(x @ p["linear1.weight"].T + p["linear1.bias"], 0)
    return hidden @ p["linear2.weight"].T + p["linear2.bias"]


def encoder_layer(
    x: np.ndarray,
    params: dict,
    num_heads: int,
    norm_first: bool = False,
    eps: float = 1e-5,
) -> np.ndarray:
    def norm(t, i):
        return _layer_norm(t, params[f"norm{i}.weight"], params[f"norm{i}.bias"], eps)

    if norm_first:
        x = x + _self_attention(norm(x, 1), params, num_heads)
        return x + _feed_forward(norm(x, 2), params)
    x = norm(x + _self_attention(x, params, num_heads), 1)
    return norm(x + _feed_forward(x, params), 2)
