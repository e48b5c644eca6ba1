import torch


def _log_softmax(z: torch.Tensor) -> torch.Tensor:
    z = z - z.amax(dim=-1, keepdim=True)  # the largest logit becomes 0: exp cannot overflow
    return z - z.exp().sum(dim=-1, keepdim=True).log()


def kl_divergence(p_logits: torch.Tensor, q_logits: torch.Tensor) -> torch.Tensor:
    log_p, log_q = _log_softmax(p_logits), _log_softmax(q_logits)
    diff = torch.where(log_p > -torch.inf, log_p - log_q, 0.0)  # P = 0 contributes 0, not NaN
    return (log_p.exp() * diff).sum(dim=-1)
