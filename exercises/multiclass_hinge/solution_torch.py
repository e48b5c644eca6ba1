import torch


def multiclass_hinge_loss(
    scores: torch.Tensor, target: torch.Tensor, margin: float = 1.0
) -> torch.Tensor:
    correct = scores.gather(1, target[:, None])
    hinge = (margin - correct + scores).clamp(min=0)
    hinge = hinge.scatter(1, target[:, None], 0.0)  # the target class is not compared with itself
    return hinge.sum(dim=1).mean() / scores.shape[1]
