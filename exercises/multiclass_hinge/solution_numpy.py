import numpy as np


def multiclass_hinge_loss(
    scores: np.ndarray, target: np.ndarray, margin: float = 1.0
) -> np.ndarray:
    rows = np.arange(len(target))
    hinge = np.maximum(0, margin - scores[rows, target][:, None] + scores)
    hinge[rows, target] = 0  # the target class is not compared with itself
    return hinge.sum(axis=1).mean() / scores.shape[1]
