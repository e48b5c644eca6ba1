import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {
        "alpha=-1 disables weighting": "wrong_answer",
        "gamma=0, alpha=-1: plain BCE": "wrong_answer",
    },
    "diagnosis": {
        "en": "alpha < 0 must disable the weighting (α_t = 1), as in torchvision; here it is "
        "still applied",
        "zh": "alpha < 0 时应关闭加权（α_t = 1，与 torchvision 相同）；这里仍然乘上了 α_t",
    },
}


def focal_loss(logits, target, gamma=2.0, alpha=0.25):
    tail = torch.log1p(torch.exp(-logits.abs()))
    ce = logits.clamp(min=0) - logits * target + tail
    p = torch.sigmoid(logits)
    p_t = p * target + (1 - p) * (1 - target)
    alpha_t = alpha * target + (1 - alpha) * (1 - target)
    return (alpha_t * ce * (1 - p_t) ** gamma).mean()
