import torch


def layer_norm(x: torch.Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    dims = tuple(range(-k, 0))
    centred = x - x.mean(dim=dims, keepdim=True)
    y = centred * torch.rsqrt((centred * centred).mean(dim=dims, keepdim=True) + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
