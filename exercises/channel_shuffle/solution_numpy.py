import numpy as np


def channel_shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    n, c, h, w = x.shape
    if c % groups:
        raise ValueError(f"groups={groups} does not divide {c} channels")
    grouped = x.reshape(n, groups, c // groups, h, w)
    return np.ascontiguousarray(grouped.transpose(0, 2, 1, 3, 4)).reshape(n, c, h, w)
