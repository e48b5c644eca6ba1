import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "eps = 0.5 on small activations": "wrong_answer",
        "eps = 0.1, pre-norm, small inputs": "wrong_answer",
    },
    "diagnosis": {
        "en": "eps is added to the standard deviation: LayerNorm divides by sqrt(variance + eps)",
        "zh": "eps 加在了标准差上：LayerNorm 除以 sqrt(方差 + eps)",
    },
}


def encoder_layer(x, params, num_heads, norm_first=False, eps=1e-5):
    p = params

    def norm(t, i):
        c = t - t.mean(-1, keepdims=True)
        return (
            c / (np.sqrt((c**2).mean(-1, keepdims=True)) + eps) * p[f"norm{i}.weight"]
            + p[f"norm{i}.bias"]
        )

    def attend(t):
        n, length, e = t.shape
        qkv = t @ p["self_attn.in_proj_weight"].T + p["self_attn.in_proj_bias"]
        q, k, v = (
            u.reshape(n, length, num_heads, -1).transpose(0, 2, 1, 3) for u in np.split(qkv, 3, -1)
        )
        s = q @ k.transpose(0, 1, 3, 2) / (e // num_heads) ** 0.5
        w = np.exp(s - s.max(-1, keepdims=True))
        out = (w / w.sum(-1, keepdims=True) @ v).transpose(0, 2, 1, 3).reshape(n, length, e)
        return out @ p["self_attn.out_proj.weight"].T + p["self_attn.out_proj.bias"]

    def ff(t):
        return (
            np.maximum(t @ p["linear1.weight"].T + p["linear1.bias"], 0) @ p["linear2.weight"].T
            + p["linear2.bias"]
        )

    if norm_first:
        x = x + attend(norm(x, 1))
        return x + ff(norm(x, 2))
    x = norm(x + attend(x), 1)
    return norm(x + ff(x), 2)
