import torch


def encoder_layer(
    x: torch.Tensor,
    params: dict,
    num_heads: int,
    norm_first: bool = False,
    eps: float = 1e-5,
) -> torch.Tensor:
    """One nn.TransformerEncoderLayer(batch_first=True, dropout=0) forward pass on x (N, L, E)."""
    raise NotImplementedError
