import numpy as np

MISTAKE = {
    "framework": "numpy",
    "edge": True,
    "expect": {"norm_type = inf": "wrong_answer"},
    "messages": {"norm_type = inf": "total_norm"},
    "diagnosis": {
        "en": "norm_type = inf computed as the 2-norm: the inf-norm is the largest absolute entry of all gradients",
        "zh": "norm_type = inf 时按 2-范数计算了：无穷范数是所有梯度中绝对值最大的元素",
    },
}


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    p = 2.0 if norm_type == float("inf") else norm_type
    total = np.float32(sum(np.sum(np.abs(g) ** p) for g in grads) ** (1 / p))
    coef = min(max_norm / (total + 1e-6), 1.0)
    return tuple(g * np.float32(coef) for g in grads), np.asarray(total)
