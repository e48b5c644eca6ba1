import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: three examples, two features": "wrong_answer",
        "random sizes": "wrong_answer",
    },
    "messages": {"random sizes": "loss_before"},
    "diagnosis": {
        "en": "the loss is reported after the step: loss_before is the loss at the parameters passed in",
        "zh": "返回的是更新之后的损失：loss_before 应是传入参数处的损失",
    },
}


def linear_regression_step(x, y, w, b, lr, l2=0.0):
    residual = x @ w + b - y
    dw = (2 / len(y)) * (x.T @ residual) + 2 * l2 * w
    db = 2 * np.mean(residual)
    w, b = w - lr * dw, b - lr * db
    loss = np.mean((x @ w + b - y) ** 2) + l2 * np.sum(w**2)
    return w, b, loss
