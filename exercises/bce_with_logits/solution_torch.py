import torch


def bce_with_logits(
    logits: torch.Tensor, target: torch.Tensor, pos_weight: torch.Tensor | None = None
) -> torch.Tensor:
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): exp never sees a large positive argument.
    log1p_exp = torch.log1p(torch.exp(-logits.abs()))
    neg_log_p = torch.clamp(-logits, min=0) + log1p_exp  # -log sigmoid(x)
    neg_log_not_p = torch.clamp(logits, min=0) + log1p_exp  # -log(1 - sigmoid(x))
    w = 1.0 if pos_weight is None else pos_weight
    return (w * target * neg_log_p + (1 - target) * neg_log_not_p).mean()
