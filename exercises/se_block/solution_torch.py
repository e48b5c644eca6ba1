import torch


def se_block(
    x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor
) -> torch.Tensor:
    squeezed = x.mean(dim=(2, 3))
    hidden = torch.relu(squeezed @ w1.T + b1)
    scale = torch.sigmoid(hidden @ w2.T + b2)
    return x * scale[:, :, None, None]
