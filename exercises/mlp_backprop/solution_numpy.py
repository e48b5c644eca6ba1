import numpy as np


def mlp_backward(x, y, w1, b1, w2, b2):
    n = x.shape[0]
    z = x @ w1 + b1
    h = np.maximum(z, 0)
    logits = h @ w2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_probs[rows, y].mean()
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1
    dlogits /= n
    dw2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)
    dz = (dlogits @ w2.T) * (z > 0)
    dw1 = x.T @ dz
    db1 = dz.sum(axis=0)
    return {"loss": np.asarray(loss), "dw1": dw1, "db1": db1, "dw2": dw2, "db2": db2}
