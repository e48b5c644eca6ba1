import numpy as np


def multi_head_attention(
    query,
    key,
    value,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    out_proj_weight,
    out_proj_bias,
    key_padding_mask=None,
    attn_mask=None,
):
    """nn.MultiheadAttention(batch_first=True)'s output (N, L, E); bool masks: True = not allowed."""
    raise NotImplementedError
