import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"sample: 0/1 targets": "wrong_answer", "soft targets": "wrong_answer"},
    "diagnosis": {
        "en": "the loss is summed over the last axis and averaged over the rest; the mean is over "
        "every element",
        "zh": "沿最后一维求和、只对其余维求平均；应对所有元素求平均",
    },
}


def bce_with_logits(logits, target, pos_weight=None):
    log1p_exp = np.log1p(np.exp(-np.abs(logits)))
    neg_log_p = np.maximum(-logits, 0) + log1p_exp
    neg_log_not_p = np.maximum(logits, 0) + log1p_exp
    w = 1.0 if pos_weight is None else pos_weight
    return (w * target * neg_log_p + (1 - target) * neg_log_not_p).sum(axis=-1).mean()
