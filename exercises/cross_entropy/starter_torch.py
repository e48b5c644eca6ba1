import torch


def cross_entropy(
    logits: torch.Tensor, target: torch.Tensor, label_smoothing: float = 0.0
) -> torch.Tensor:
    """Mean cross-entropy of softmax(logits) against class indices; finite for logits up to ±1e4."""
    raise NotImplementedError
