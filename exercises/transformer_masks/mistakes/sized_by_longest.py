import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"every sequence shorter than max_len": "invalid_output"},
    "messages": {"every sequence shorter than max_len": "shape"},
    "diagnosis": {
        "en": "the mask is sized by the longest sequence, lengths.max(); it must be (N, max_len, max_len) even when every sequence is shorter",
        "zh": "mask 的大小按最长序列 lengths.max() 来定了；即使所有序列都更短，也必须是 (N, max_len, max_len)",
    },
}


def transformer_mask(lengths, max_len, causal):
    size = int(lengths.max())
    pos = torch.arange(size)
    allowed = (pos[None, None, :] < lengths[:, None, None]).expand(-1, size, -1)
    if causal:
        allowed = allowed & (pos[None, :] <= pos[:, None])
    return allowed.contiguous()
