import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "causal mask": "wrong_answer",
        "padding mask of shape (B, 1, 1, S)": "wrong_answer",
        "masked positions with large logits": "wrong_answer",
        "sample: causal mask": "wrong_answer",
    },
    "diagnosis": {
        "en": "the mask is ignored: masked keys still get attention weight",
        "zh": "忽略了 mask：被屏蔽的 key 仍然分到了注意力权重",
    },
}


def scaled_dot_product_attention(q, k, v, mask=None):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(np.float32(q.shape[-1]))
    s = s - s.max(axis=-1, keepdims=True)
    w = np.exp(s)
    return (w / w.sum(axis=-1, keepdims=True)) @ v
