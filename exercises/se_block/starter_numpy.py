import numpy as np


def se_block(
    x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """Squeeze (global average pool), excite (FC-ReLU-FC-sigmoid), rescale x channel-wise."""
    raise NotImplementedError
