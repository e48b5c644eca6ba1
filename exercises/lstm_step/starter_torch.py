import torch


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One LSTMCell step; gates (input, forget, cell, output) are stacked in that order.

    Returns (h_next, c_next).
    """
    raise NotImplementedError
