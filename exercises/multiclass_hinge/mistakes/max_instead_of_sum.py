MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: the PyTorch documentation example": "wrong_answer",
        "random sizes": "wrong_answer",
    },
    "diagnosis": {
        "en": "the largest violation is taken (Crammer-Singer); F.multi_margin_loss sums the "
        "violations over every j != y",
        "zh": "只取了最大的违例项（Crammer-Singer 形式）；F.multi_margin_loss 对所有 j ≠ y 的违例求和",
    },
}


def multiclass_hinge_loss(scores, target, margin=1.0):
    correct = scores.gather(1, target[:, None])
    hinge = (margin - correct + scores).clamp(min=0).scatter(1, target[:, None], 0.0)
    return hinge.amax(dim=1).mean() / scores.shape[1]
