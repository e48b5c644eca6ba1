import torch


def _layer_norm(x, weight, bias, eps):
    centred = x - x.mean(dim=-1, keepdim=True)
    return centred / torch.sqrt((centred**2).mean(dim=-1, keepdim=True) + eps) * weight + bias


def _self_attention(x, p, num_heads):
    n, length, e = x.shape
    d = e // num_heads
    qkv = x @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
    # (N, L, E) -> (N, H, L, d): split E into heads, then move the head axis before L.
    q, k, v = (t.reshape(n, length, num_heads, d).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
    scores = q @ k.transpose(-1, -2) / d**0.5
    weights = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    heads = weights / weights.sum(dim=-1, keepdim=True) @ v
    out = heads.transpose(1, 2).reshape(n, length, e)
    return out @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]


def _feed_forward(x, p):
    hidden = torch.relu(x @ p["linear1.weight"].T + p["linear1.bias"])
    return hidden @ p["linear2.weight"].T + p["linear2.bias"]


def encoder_layer(
    x: torch.Tensor,
    params: dict,
    num_heads: int,
    norm_first: bool = False,
    eps: float = 1e-5,
) -> torch.Tensor:
    def norm(t, i):
        return _layer_norm(t, params[f"norm{i}.weight"], params[f"norm{i}.bias"], eps)

    if norm_first:
        x = x + _self_attention(norm(x, 1), params, num_heads)
        return x + _feed_forward(norm(x, 2), params)
    x = norm(x + _self_attention(x, params, num_heads), 1)
    return norm(x + _feed_forward(x, params), 2)
