import numpy as np


def transformer_mask(lengths, max_len, causal):
    keys = np.arange(max_len)
    allowed = keys[None, None, :] < lengths[:, None, None]  # (N, 1, max_len): padding on keys
    if causal:
        allowed = allowed & (keys[None, :] <= keys[:, None])  # key j <= query i
    return np.broadcast_to(allowed, (len(lengths), max_len, max_len)).copy()
