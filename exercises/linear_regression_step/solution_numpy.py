import numpy as np


def linear_regression_step(x, y, w, b, lr, l2=0.0):
    residual = x @ w + b - y
    loss = np.mean(residual**2) + l2 * np.sum(w**2)
    dw = (2 / len(y)) * (x.T @ residual) + 2 * l2 * w
    db = 2 * np.mean(residual)
    return w - lr * dw, b - lr * db, loss
