import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"tiny gradients: the 1e-6 in max_norm / (total_norm + 1e-6)": "wrong_answer"},
    "diagnosis": {
        "en": "coefficient max_norm / total_norm without the 1e-6: tiny gradients are then clipped too little",
        "zh": "系数写成了 max_norm / total_norm，少了 1e-6：极小的梯度会裁剪得不够",
    },
}


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    coef = torch.clamp(max_norm / total, max=1.0)
    return tuple(g * coef for g in grads), total
