import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: two real and two fake logits": "wrong_answer",
        "different batch sizes": "wrong_answer",
    },
    "messages": {"different batch sizes": "g_loss"},
    "diagnosis": {
        "en": "saturating generator loss log(1 - D(G(z))): the non-saturating loss is -log D(G(z)), the BCE of fake logits against 1",
        "zh": "用了会饱和的生成器损失 log(1 - D(G(z)))：非饱和损失是 -log D(G(z))，即假样本 logits 对标签 1 的 BCE",
    },
}


def gan_losses(d_real_logits, d_fake_logits):
    d_loss = np.logaddexp(0, -d_real_logits).mean() + np.logaddexp(0, d_fake_logits).mean()
    g_loss = -np.logaddexp(0, d_fake_logits).mean()
    return d_loss, g_loss
