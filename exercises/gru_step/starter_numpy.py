import numpy as np


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """One nn.GRUCell step; gate rows are stacked (reset, update, new). Returns h' of shape (N, H)."""
    raise NotImplementedError
