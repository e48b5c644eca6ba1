import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax of x along dim; must stay finite for logits up to +/-1e4."""
    raise NotImplementedError
