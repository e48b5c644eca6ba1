import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"sample: causal and padding": "wrong_answer", "causal, no padding": "wrong_answer"},
    "diagnosis": {
        "en": "the causal mask is strict (j < i): a query must also see its own position, j <= i",
        "zh": "因果掩码用了严格不等号 (j < i)：query 也要能看到自己所在的位置，应为 j <= i",
    },
}


def transformer_mask(lengths, max_len, causal):
    keys = np.arange(max_len)
    allowed = np.broadcast_to(keys < lengths[:, None, None], (len(lengths), max_len, max_len))
    if causal:
        allowed = allowed & (keys[None, :] < keys[:, None])
    return allowed.copy()
