import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {
        "sample: two examples, one feature": "wrong_answer",
        "random sizes": "wrong_answer",
    },
    "messages": {"random sizes": "new_w"},
    "diagnosis": {
        "en": "the gradient of the squared error lacks its factor 2: d/dw mean(r**2) = 2/N * x.T @ r",
        "zh": "平方误差的梯度少了系数 2：d/dw mean(r**2) = 2/N * x.T @ r",
    },
}


def linear_regression_step(x, y, w, b, lr, l2=0.0):
    residual = x @ w + b - y
    loss = np.mean(residual**2) + l2 * np.sum(w**2)
    dw = x.T @ residual / len(y) + 2 * l2 * w
    db = np.mean(residual)
    return w - lr * dw, b - lr * db, loss
