import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {
        "L2 penalty on w": "wrong_answer",
        "large L2 penalty and learning rate": "wrong_answer",
    },
    "messages": {"L2 penalty on w": "new_b"},
    "diagnosis": {
        "en": "the L2 penalty is applied to the bias too: it is l2 * ||w||**2, the bias is not penalised",
        "zh": "把 L2 惩罚也加到了偏置上：惩罚项是 l2 * ||w||**2，偏置不参与正则化",
    },
}


def linear_regression_step(x, y, w, b, lr, l2=0.0):
    residual = x @ w + b - y
    loss = torch.mean(residual**2) + l2 * (torch.sum(w**2) + b**2)
    dw = (2 / len(y)) * (x.T @ residual) + 2 * l2 * w
    db = 2 * torch.mean(residual) + 2 * l2 * b
    return w - lr * dw, b - lr * db, loss
