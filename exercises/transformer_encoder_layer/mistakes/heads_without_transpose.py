import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: post-norm, E=4, 2 heads": "wrong_answer",
        "one long sequence, 4 heads": "wrong_answer",
    },
    "diagnosis": {
        "en": "heads split by reshaping (N, L, E) straight to (N, h, L, d): reshape to (N, L, h, d) and transpose to (N, h, L, d)",
        "zh": "把 (N, L, E) 直接 reshape 成 (N, h, L, d) 来拆分头：应 reshape 成 (N, L, h, d) 再转置为 (N, h, L, d)",
    },
}


def encoder_layer(x, params, num_heads, norm_first=False, eps=1e-5):
    p = params

    def norm(t, i):
        c = t - t.mean(-1, keepdim=True)
        return (
            c / torch.sqrt((c**2).mean(-1, keepdim=True) + eps) * p[f"norm{i}.weight"]
            + p[f"norm{i}.bias"]
        )

    def attend(t):
        n, length, e = t.shape
        qkv = t @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
        q, k, v = (u.reshape(n, num_heads, length, e // num_heads) for u in qkv.chunk(3, -1))
        w = torch.exp(q @ k.transpose(-1, -2) / (e // num_heads) ** 0.5)
        out = (w / w.sum(-1, keepdim=True) @ v).reshape(n, length, e)
        return out @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]

    def ff(t):
        return (
            torch.relu(t @ p["linear1.weight"].T + p["linear1.bias"]) @ p["linear2.weight"].T
            + p["linear2.bias"]
        )

    if norm_first:
        x = x + attend(norm(x, 1))
        return x + ff(norm(x, 2))
    x = norm(x + attend(x), 1)
    return norm(x + ff(x), 2)
