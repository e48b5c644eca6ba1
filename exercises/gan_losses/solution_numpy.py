import numpy as np


def _softplus(x):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): no exponential can overflow.
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def gan_losses(d_real_logits, d_fake_logits):
    # BCE(x, 1) = softplus(-x) and BCE(x, 0) = softplus(x).
    d_loss = _softplus(-d_real_logits).mean() + _softplus(d_fake_logits).mean()
    g_loss = _softplus(-d_fake_logits).mean()
    return d_loss, g_loss
