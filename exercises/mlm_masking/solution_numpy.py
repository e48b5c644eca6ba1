import numpy as np


def mlm_mask(
    tokens: np.ndarray,
    special: np.ndarray,
    draw: np.ndarray,
    replace_with: np.ndarray,
    mask_id: int,
    mask_prob: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    # draw is float32 and the Python floats stay weak, so every comparison is made in float32.
    chosen = ~special & (draw[..., 0] < mask_prob)
    masked = chosen & (draw[..., 1] < 0.8)
    replaced = chosen & ~masked & (draw[..., 1] < 0.9)
    input_ids = np.where(masked, mask_id, np.where(replaced, replace_with, tokens))
    labels = np.where(chosen, tokens, -100)
    return input_ids, labels
