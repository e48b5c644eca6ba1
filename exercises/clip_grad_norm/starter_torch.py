import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    """Clip a tuple of gradients by their global norm; returns (clipped_grads, total_norm)."""
    raise NotImplementedError
