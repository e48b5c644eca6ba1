import torch


def focal_loss(
    logits: torch.Tensor, target: torch.Tensor, gamma: float = 2.0, alpha: float = 0.25
) -> torch.Tensor:
    """Mean binary focal loss of sigmoid(logits) against 0/1 targets; alpha < 0: no weighting."""
    raise NotImplementedError
