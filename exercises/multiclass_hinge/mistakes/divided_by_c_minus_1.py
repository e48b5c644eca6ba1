MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: the PyTorch documentation example": "wrong_answer",
        "one class (C = 1): zero loss": "invalid_output",
    },
    "diagnosis": {
        "en": "divided by the C - 1 compared classes; F.multi_margin_loss divides by C",
        "zh": "除以了参与比较的 C - 1 个类；F.multi_margin_loss 除以的是 C",
    },
}


def multiclass_hinge_loss(scores, target, margin=1.0):
    correct = scores.gather(1, target[:, None])
    hinge = (margin - correct + scores).clamp(min=0).scatter(1, target[:, None], 0.0)
    return hinge.sum(dim=1).mean() / (scores.shape[1] - 1)
