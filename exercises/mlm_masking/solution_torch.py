import torch


def mlm_mask(
    tokens: torch.Tensor,
    special: torch.Tensor,
    draw: torch.Tensor,
    replace_with: torch.Tensor,
    mask_id: int,
    mask_prob: float = 0.15,
) -> tuple[torch.Tensor, torch.Tensor]:
    # A Python float compared with a float32 tensor is converted to float32 first.
    chosen = ~special & (draw[..., 0] < mask_prob)
    masked = chosen & (draw[..., 1] < 0.8)
    replaced = chosen & ~masked & (draw[..., 1] < 0.9)
    input_ids = torch.where(masked, mask_id, torch.where(replaced, replace_with, tokens))
    labels = torch.where(chosen, tokens, -100)
    return input_ids, labels
