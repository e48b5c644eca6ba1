import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: two sentences with padding": "wrong_answer",
        "mask_prob = 0 chooses nothing": "wrong_answer",
    },
    "messages": {"mask_prob = 0 chooses nothing": "wrong part: labels (correct: input_ids)"},
    "diagnosis": {
        "en": "labels hold the original token everywhere: positions that were not chosen must be -100 (ignored by the loss)",
        "zh": "labels 在所有位置都是原 token：未被选中的位置必须是 -100（损失函数忽略它们）",
    },
}


def mlm_mask(tokens, special, draw, replace_with, mask_id, mask_prob=0.15):
    chosen = ~special & (draw[..., 0] < mask_prob)
    masked = chosen & (draw[..., 1] < 0.8)
    replaced = chosen & ~masked & (draw[..., 1] < 0.9)
    input_ids = np.where(masked, mask_id, np.where(replaced, replace_with, tokens))
    return input_ids, tokens.copy()
