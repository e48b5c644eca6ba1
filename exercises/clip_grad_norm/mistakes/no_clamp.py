import torch

MISTAKE = {
    "framework": "torch",
    "expect": {
        "sample: 1-norm below max_norm, unchanged": "wrong_answer",
        "norm below max_norm: gradients unchanged": "wrong_answer",
    },
    "diagnosis": {
        "en": "the coefficient is not clamped at 1: gradients already below max_norm must stay unchanged, never scaled up",
        "zh": "系数没有截断到 1：范数本来就小于 max_norm 的梯度应保持不变，不能被放大",
    },
}


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    coef = max_norm / (total + 1e-6)
    return tuple(g * coef for g in grads), total
