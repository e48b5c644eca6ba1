import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {
        "draws exactly at 0.15, 0.8 and 0.9 in float32": "wrong_answer",
        "mask_prob = 0.35 with draws exactly at float32(0.35)": "wrong_answer",
    },
    "diagnosis": {
        "en": "the draws are compared in float64: float32(0.9) < 0.9 there, but the comparison must be made in float32",
        "zh": "在 float64 下比较了随机数：此时 float32(0.9) < 0.9 成立，但比较必须在 float32 下进行",
    },
}


def mlm_mask(tokens, special, draw, replace_with, mask_id, mask_prob=0.15):
    draw = draw.astype(np.float64)
    chosen = ~special & (draw[..., 0] < mask_prob)
    masked = chosen & (draw[..., 1] < 0.8)
    replaced = chosen & ~masked & (draw[..., 1] < 0.9)
    input_ids = np.where(masked, mask_id, np.where(replaced, replace_with, tokens))
    return input_ids, np.where(chosen, tokens, -100)
