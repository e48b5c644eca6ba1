import torch


def softmax_backward(y: torch.Tensor, dy: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Gradient dx of the loss w.r.t. x, given y = softmax(x, dim) and dy = dL/dy."""
    raise NotImplementedError
