import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: padding only": "wrong_answer",
        "padding only, random lengths": "wrong_answer",
    },
    "diagnosis": {
        "en": "the padding is applied on the query axis (rows); padded positions must be hidden as keys, i.e. in the columns j",
        "zh": "把填充掩码加在了 query 维（行）上；被填充的位置应作为 key 被屏蔽，即作用在列 j 上",
    },
}


def transformer_mask(lengths, max_len, causal):
    pos = torch.arange(max_len)
    allowed = (pos[None, :, None] < lengths[:, None, None]).expand(-1, -1, max_len)
    if causal:
        allowed = allowed & (pos[None, :] <= pos[:, None])
    return allowed.contiguous()
