import torch


def transformer_mask(lengths, max_len, causal):
    keys = torch.arange(max_len, device=lengths.device)
    allowed = keys[None, None, :] < lengths[:, None, None]  # (N, 1, max_len): padding on keys
    if causal:
        allowed = allowed & (keys[None, :] <= keys[:, None])  # key j <= query i
    return allowed.expand(len(lengths), max_len, max_len).contiguous()
