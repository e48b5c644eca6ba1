import numpy as np


def softmax(x: np.ndarray, dim: int = -1) -> np.ndarray:
    """Softmax of x along dim; must stay finite for logits up to +/-1e4."""
    raise NotImplementedError
