import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: pre-norm (norm_first=True), E=4, 2 heads": "wrong_answer",
        "one head": "wrong_answer",
    },
    "diagnosis": {
        "en": "layer norm uses the unbiased variance (divides by E - 1): LayerNorm divides by E",
        "zh": "层归一化用了无偏方差（除以 E - 1）：LayerNorm 除以 E",
    },
}


def encoder_layer(x, params, num_heads, norm_first=False, eps=1e-5):
    p = params

    def norm(t, i):
        c = t - t.mean(-1, keepdim=True)
        return (
            c / torch.sqrt(t.var(-1, keepdim=True) + eps) * p[f"norm{i}.weight"]
            + p[f"norm{i}.bias"]
        )

    def attend(t):
        n, length, e = t.shape
        qkv = t @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
        q, k, v = (u.reshape(n, length, num_heads, -1).transpose(1, 2) for u in qkv.chunk(3, -1))
        s = q @ k.transpose(-1, -2) / (e // num_heads) ** 0.5
        w = torch.exp(s - s.amax(-1, keepdim=True))
        out = (w / w.sum(-1, keepdim=True) @ v).transpose(1, 2).reshape(n, length, e)
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
