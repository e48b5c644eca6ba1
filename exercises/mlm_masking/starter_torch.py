import torch


def mlm_mask(
    tokens: torch.Tensor,
    special: torch.Tensor,
    draw: torch.Tensor,
    replace_with: torch.Tensor,
    mask_id: int,
    mask_prob: float = 0.15,
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT masking given the draws: returns (input_ids, labels), labels -100 where not chosen."""
    raise NotImplementedError
