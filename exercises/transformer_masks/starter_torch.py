import torch


def transformer_mask(lengths, max_len, causal):
    """Bool (N, max_len, max_len), True = may attend: key j < lengths[n], and j <= i if causal."""
    raise NotImplementedError
