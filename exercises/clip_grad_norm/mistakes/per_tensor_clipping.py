import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: two gradients clipped to norm 1": "wrong_answer",
        "several gradients share one global norm": "wrong_answer",
    },
    "messages": {"several gradients share one global norm": "clipped_grads"},
    "diagnosis": {
        "en": "each gradient clipped by its own norm: one coefficient from the norm of all gradients together scales every one",
        "zh": "每个梯度按自己的范数单独裁剪了：应由所有梯度合在一起的全局范数算出同一个系数",
    },
}


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    norms = np.array([np.linalg.norm(g.ravel(), ord=norm_type) for g in grads])
    total = np.linalg.norm(norms, ord=norm_type).astype(np.float32)
    clipped = tuple(g * np.float32(min(max_norm / (n + 1e-6), 1.0)) for g, n in zip(grads, norms))
    return clipped, total
