import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: one sentence, every branch": "wrong_answer",
        "every position special": "wrong_answer",
    },
    "diagnosis": {
        "en": "special tokens ([CLS], [SEP], padding) are masked too: they must never be chosen",
        "zh": "特殊 token（[CLS]、[SEP]、padding）也被选中了：它们永远不能被选中",
    },
}


def mlm_mask(tokens, special, draw, replace_with, mask_id, mask_prob=0.15):
    chosen = draw[..., 0] < mask_prob
    masked = chosen & (draw[..., 1] < 0.8)
    replaced = chosen & ~masked & (draw[..., 1] < 0.9)
    input_ids = np.where(masked, mask_id, np.where(replaced, replace_with, tokens))
    return input_ids, np.where(chosen, tokens, -100)
