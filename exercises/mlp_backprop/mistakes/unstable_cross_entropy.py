import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"stable cross-entropy for large logits": "invalid_output"},
    "messages": {"stable cross-entropy for large logits": "loss"},
    "diagnosis": {
        "en": "log(softmax) without the max shift overflows for large logits: use log-sum-exp",
        "zh": "没有减最大值就计算 log(softmax)，logits 很大时溢出：应使用 log-sum-exp",
    },
}


def mlp_backward(x, y, w1, b1, w2, b2):
    n = x.shape[0]
    z = x @ w1 + b1
    h = torch.relu(z)
    logits = h @ w2 + b2
    p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
    rows = torch.arange(n)
    loss = -torch.log(p[rows, y]).mean()
    d = p.clone()
    d[rows, y] -= 1
    d /= n
    dz = (d @ w2.T) * (z > 0)
    return {"loss": loss, "dw1": x.T @ dz, "db1": dz.sum(0), "dw2": h.T @ d, "db2": d.sum(0)}
