import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    """Batch norm of x (N, C) or (N, C, H, W); returns (y, new_running_mean, new_running_var)."""
    raise NotImplementedError
