MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: training, p=0.5": "wrong_answer",
        "training, p=0.5": "wrong_answer",
        "training, p=0.9": "wrong_answer",
    },
    "messages": {"training, p=0.5": "kept entries must be scaled by 1/(1 − p) = 2; at index"},
    "diagnosis": {
        "en": "kept entries are not rescaled: inverted dropout divides them by 1 − p so the "
        "expected activation is the same in training and eval",
        "zh": "保留的元素没有放大：inverted dropout 要把它们除以 1 − p，使训练和推理时激活的期望相同",
    },
}


def dropout(x, p, training, keep):
    return x * keep if training else x
