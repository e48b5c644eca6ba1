import torch


def linear_regression_step(x, y, w, b, lr, l2=0.0):
    residual = x @ w + b - y
    loss = torch.mean(residual**2) + l2 * torch.sum(w**2)
    dw = (2 / len(y)) * (x.T @ residual) + 2 * l2 * w
    db = 2 * torch.mean(residual)
    return w - lr * dw, b - lr * db, loss
