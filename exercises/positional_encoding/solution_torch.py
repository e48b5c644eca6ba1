import torch


def sinusoidal_positional_encoding(length, d_model, base=10000.0):
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    # Angles in float64 (float32 would lose ~1e-4 at position 2000), sin/cos in fast float32.
    position = torch.arange(length, dtype=torch.float64)[:, None]
    frequency = base ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    angle = (position / frequency).float()
    table = torch.empty(length, d_model)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)
    return table
