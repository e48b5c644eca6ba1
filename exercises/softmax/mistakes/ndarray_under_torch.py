import numpy as np

MISTAKE = {
    "framework": "torch",
    "expect": {"1-D input": "invalid_output"},
    "messages": {"1-D input": "expected a torch.Tensor, got a numpy.ndarray"},
    "diagnosis": {
        "en": "under torch the function must return a tensor, not a numpy array",
        "zh": "torch 框架下必须返回 tensor，而不是 numpy 数组",
    },
}


def softmax(x, dim=-1):
    x = x.numpy()
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)
