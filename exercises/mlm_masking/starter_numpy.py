import numpy as np


def mlm_mask(
    tokens: np.ndarray,
    special: np.ndarray,
    draw: np.ndarray,
    replace_with: np.ndarray,
    mask_id: int,
    mask_prob: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    """BERT masking given the draws: returns (input_ids, labels), labels -100 where not chosen."""
    raise NotImplementedError
