import torch


def adam_step(
    param,
    grad,
    m,
    v,
    step,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    decoupled=False,
):
    """One step of torch.optim.Adam (AdamW when decoupled); returns (new_param, new_m, new_v)."""
    raise NotImplementedError
