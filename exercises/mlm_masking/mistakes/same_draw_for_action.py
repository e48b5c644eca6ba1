import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: one sentence, every branch": "wrong_answer",
        "default mask_prob on a batch of 16": "wrong_answer",
    },
    "messages": {"sample: one sentence, every branch": "wrong part: input_ids (correct: labels)"},
    "diagnosis": {
        "en": "the 80/10/10 split uses draw[..., 0] again: a chosen token then always becomes [MASK]; use draw[..., 1]",
        "zh": "80/10/10 的划分又用了 draw[..., 0]：被选中的 token 总是变成 [MASK]；应使用 draw[..., 1]",
    },
}


def mlm_mask(tokens, special, draw, replace_with, mask_id, mask_prob=0.15):
    chosen = ~special & (draw[..., 0] < mask_prob)
    masked = chosen & (draw[..., 0] < 0.8)
    replaced = chosen & ~masked & (draw[..., 0] < 0.9)
    input_ids = torch.where(masked, mask_id, torch.where(replaced, replace_with, tokens))
    return input_ids, torch.where(chosen, tokens, -100)
