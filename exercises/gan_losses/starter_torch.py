import torch


def gan_losses(d_real_logits, d_fake_logits):
    """Return (d_loss, g_loss): discriminator BCE (real = 1, fake = 0) and non-saturating G loss."""
    raise NotImplementedError
