import numpy as np


def scaled_dot_product_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """softmax(q k^T / sqrt(D)) v; mask is boolean, True = may attend."""
    raise NotImplementedError
