import torch


def gan_losses(d_real_logits, d_fake_logits):
    # BCE(x, 1) = softplus(-x) and BCE(x, 0) = softplus(x); softplus is stable for any x.
    softplus = torch.nn.functional.softplus
    d_loss = softplus(-d_real_logits).mean() + softplus(d_fake_logits).mean()
    g_loss = softplus(-d_fake_logits).mean()
    return d_loss, g_loss
