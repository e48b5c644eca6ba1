import torch


def batch_norm_backward(dy: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-5):
    n = x.shape[0]
    centred = x - x.mean(dim=0)
    inv_std = torch.rsqrt((centred * centred).mean(dim=0) + eps)
    x_hat = centred * inv_std
    dbias = dy.sum(dim=0)
    dweight = (dy * x_hat).sum(dim=0)
    dx = (weight * inv_std / n) * (n * dy - dbias - x_hat * dweight)
    return dx, dweight, dbias
