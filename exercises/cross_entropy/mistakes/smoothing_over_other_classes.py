import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: label_smoothing=0.1": "wrong_answer",
        "label_smoothing=0.3, C = 2": "wrong_answer",
        "label_smoothing=1.0: a uniform target": "wrong_answer",
    },
    "diagnosis": {
        "en": "label smoothing spread over the C - 1 other classes; PyTorch gives ε/C to every "
        "class, the target included (target weight 1 - ε + ε/C)",
        "zh": "标签平滑只分给了其余 C - 1 个类；PyTorch 给每个类（包括目标类）ε/C，目标类权重为 1 - ε + ε/C",
    },
}


def cross_entropy(logits, target, label_smoothing=0.0):
    c = logits.shape[1]
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    weights = torch.full_like(log_probs, label_smoothing / (c - 1) if c > 1 else 0.0)
    weights.scatter_(1, target[:, None], 1 - label_smoothing)
    return -(weights * log_probs).sum(dim=1).mean()
