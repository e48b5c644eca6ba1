import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"stable for logits up to ±1e4": "invalid_output"},
    "diagnosis": {
        "en": "softmax without subtracting the max: exp overflows for large logits (inf / inf = NaN)",
        "zh": "没有先减去最大值：logits 很大时 exp 溢出（inf / inf 得到 NaN）",
    },
}


def kl_divergence(p_logits, q_logits):
    p = p_logits.exp() / p_logits.exp().sum(dim=-1, keepdim=True)
    q = q_logits.exp() / q_logits.exp().sum(dim=-1, keepdim=True)
    diff = torch.where(p > 0, p.log() - q.log(), 0.0)
    return (p * diff).sum(dim=-1)
