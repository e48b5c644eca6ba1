import numpy as np


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    norms = np.array([np.linalg.norm(g.ravel(), ord=norm_type) for g in grads])
    total = np.linalg.norm(norms, ord=norm_type).astype(np.float32)
    coef = min(max_norm / (total + 1e-6), 1.0)
    return tuple(g * np.float32(coef) for g in grads), total
