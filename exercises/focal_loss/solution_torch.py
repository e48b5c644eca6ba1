import torch


def focal_loss(
    logits: torch.Tensor, target: torch.Tensor, gamma: float = 2.0, alpha: float = 0.25
) -> torch.Tensor:
    tail = torch.log1p(torch.exp(-logits.abs()))  # log(1 + e^-|x|) never overflows
    ce = logits.clamp(min=0) - logits * target + tail  # -[y log p + (1 - y) log(1 - p)]
    p = torch.sigmoid(logits)
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return loss.mean()
