import torch

MISTAKE = {
    "framework": "torch",
    "expect": {"sample: two rows of three outcomes": "wrong_answer", "2-D input": "wrong_answer"},
    "diagnosis": {
        "en": "the terms are averaged over the K outcomes; KL sums them (F.kl_div's "
        'reduction="mean" is not the divergence)',
        "zh": '对 K 个取值求了平均；KL 散度是求和（F.kl_div 的 reduction="mean" 并不是散度）',
    },
}


def kl_divergence(p_logits, q_logits):
    log_p = p_logits - p_logits.logsumexp(dim=-1, keepdim=True)
    log_q = q_logits - q_logits.logsumexp(dim=-1, keepdim=True)
    diff = torch.where(log_p > -torch.inf, log_p - log_q, 0.0)
    return (log_p.exp() * diff).mean(dim=-1)
