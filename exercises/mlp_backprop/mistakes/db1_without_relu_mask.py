import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"dead ReLU units get zero gradient": "wrong_answer"},
    "messages": {
        "dead ReLU units get zero gradient": "wrong part: db1 (correct: loss, dw1, dw2, db2)."
    },
    "diagnosis": {
        "en": "db1 is summed before the ReLU mask: inactive units must pass no gradient to b1",
        "zh": "db1 在乘 ReLU 掩码之前就求和了：未激活的单元不应给 b1 传梯度",
    },
}


def mlp_backward(x, y, w1, b1, w2, b2):
    n = x.shape[0]
    z = x @ w1 + b1
    h = np.maximum(z, 0)
    logits = h @ w2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    d = np.exp(log_probs)
    d[np.arange(n), y] -= 1
    d /= n
    dh = d @ w2.T
    dz = dh * (z > 0)
    return {
        "loss": loss,
        "dw1": x.T @ dz,
        "db1": dh.sum(axis=0),
        "dw2": h.T @ d,
        "db2": d.sum(axis=0),
    }
