import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: soft targets and pos_weight": "wrong_answer",
        "soft targets": "wrong_answer",
    },
    "diagnosis": {
        "en": "targets are treated as 0/1 labels (one term chosen by y > 0.5); a soft target y "
        "weighs both terms: y·log σ(x) + (1 - y)·log(1 - σ(x))",
        "zh": "把目标当作 0/1 标签（按 y > 0.5 只取一项）；软目标 y 要同时加权两项：y·log σ(x) + (1 - y)·log(1 - σ(x))",
    },
}


def bce_with_logits(logits, target, pos_weight=None):
    log1p_exp = torch.log1p(torch.exp(-logits.abs()))
    neg_log_p = torch.clamp(-logits, min=0) + log1p_exp
    neg_log_not_p = torch.clamp(logits, min=0) + log1p_exp
    w = 1.0 if pos_weight is None else pos_weight
    return torch.where(target > 0.5, w * neg_log_p, neg_log_not_p).mean()
