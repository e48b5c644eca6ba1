import numpy as np


def sinusoidal_positional_encoding(length, d_model, base=10000.0):
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    # Angles in float64 (float32 would lose ~1e-4 at position 2000), sin/cos in fast float32.
    position = np.arange(length, dtype=np.float64)[:, None]
    angle = (position / base ** (np.arange(0, d_model, 2) / d_model)).astype(np.float32)
    table = np.empty((length, d_model), dtype=np.float32)
    table[:, 0::2] = np.sin(angle)
    table[:, 1::2] = np.cos(angle)
    return table
