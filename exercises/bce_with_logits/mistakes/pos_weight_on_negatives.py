import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: soft targets and pos_weight": "wrong_answer",
        "pos_weight per class (C,)": "wrong_answer",
    },
    "diagnosis": {
        "en": "pos_weight multiplies the negative term; it weights the positive term y·log σ(x) only",
        "zh": "pos_weight 乘在了负样本项上；它只加权正样本项 y·log σ(x)",
    },
}


def bce_with_logits(logits, target, pos_weight=None):
    log1p_exp = torch.log1p(torch.exp(-logits.abs()))
    neg_log_p = torch.clamp(-logits, min=0) + log1p_exp
    neg_log_not_p = torch.clamp(logits, min=0) + log1p_exp
    w = 1.0 if pos_weight is None else pos_weight
    return (target * neg_log_p + w * (1 - target) * neg_log_not_p).mean()
