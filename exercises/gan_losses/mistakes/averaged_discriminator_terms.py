import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: two real and two fake logits": "wrong_answer",
        "different batch sizes": "wrong_answer",
    },
    "messages": {"different batch sizes": "d_loss"},
    "diagnosis": {
        "en": "the discriminator's two BCE terms are averaged: d_loss is their sum",
        "zh": "判别器的两项 BCE 取了平均：d_loss 应是两项之和",
    },
}


def gan_losses(d_real_logits, d_fake_logits):
    softplus = torch.nn.functional.softplus
    d_loss = (softplus(-d_real_logits).mean() + softplus(d_fake_logits).mean()) / 2
    return d_loss, softplus(-d_fake_logits).mean()
