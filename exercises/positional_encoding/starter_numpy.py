import numpy as np


def sinusoidal_positional_encoding(length, d_model, base=10000.0):
    """The (length, d_model) float32 table: PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(...)."""
    raise NotImplementedError
