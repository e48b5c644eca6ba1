import torch


def se_block(
    x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor
) -> torch.Tensor:
    """Squeeze (global average pool), excite (FC-ReLU-FC-sigmoid), rescale x channel-wise."""
    raise NotImplementedError
