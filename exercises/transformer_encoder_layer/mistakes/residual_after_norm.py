import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: post-norm, E=4, 2 heads": "wrong_answer",
        "random sizes, post-norm": "wrong_answer",
    },
    "diagnosis": {
        "en": "post-norm adds the residual after the norm, x + LN(SA(x)): it is LN(x + SA(x)), the norm applies to the sum",
        "zh": "post-norm 在归一化之后才加残差，即 x + LN(SA(x))：正确的是 LN(x + SA(x))，对残差和做归一化",
    },
}


def encoder_layer(x, params, num_heads, norm_first=False, eps=1e-5):
    p = params

    def norm(t, i):
        c = t - t.mean(-1, keepdims=True)
        return (
            c / np.sqrt((c**2).mean(-1, keepdims=True) + eps) * p[f"norm{i}.weight"]
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
    x = x + norm(attend(x), 1)
    return x + norm(ff(x), 2)
