import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"stable for logits up to ±1e4": "invalid_output"},
    "messages": {"stable for logits up to ±1e4": "NaN"},
    "diagnosis": {
        "en": "the cross-entropy term is log(sigmoid(x)): sigmoid rounds to 0 or 1 for large |x| "
        "and 0 · log 0 = NaN; compute it from the logits, max(x, 0) - x·y + log(1 + e^-|x|)",
        "zh": "交叉熵项用了 log(sigmoid(x))：|x| 很大时 sigmoid 舍入为 0 或 1，0 · log 0 = NaN；"
        "应直接从 logits 计算：max(x, 0) - x·y + log(1 + e^-|x|)",
    },
}


def focal_loss(logits, target, gamma=2.0, alpha=0.25):
    p = torch.sigmoid(logits)
    ce = -(target * torch.log(p) + (1 - target) * torch.log(1 - p))
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * target + (1 - alpha) * (1 - target)) * loss
    return loss.mean()
