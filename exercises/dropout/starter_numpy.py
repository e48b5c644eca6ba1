import numpy as np


def dropout(x: np.ndarray, p: float, training: bool, keep: np.ndarray) -> np.ndarray:
    """Inverted dropout of x with drop probability p; keep is the given boolean draw."""
    raise NotImplementedError
