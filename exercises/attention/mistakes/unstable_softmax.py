import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"stable for large logits": "invalid_output"},
    "diagnosis": {
        "en": "the softmax inside attention does not subtract the row max: exp overflows for large scores",
        "zh": "注意力里的 softmax 没有减去每行最大值：打分很大时 exp 溢出",
    },
}


def scaled_dot_product_attention(q, k, v, mask=None):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(np.float32(q.shape[-1]))
    w = np.exp(s)
    if mask is not None:
        w = np.where(mask, w, np.float32(0))
    return (w / w.sum(axis=-1, keepdims=True)) @ v
