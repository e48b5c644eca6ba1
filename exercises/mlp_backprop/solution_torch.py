import torch


def mlp_backward(x, y, w1, b1, w2, b2):
    n = x.shape[0]
    z = x @ w1 + b1
    h = torch.clamp(z, min=0)
    logits = h @ w2 + b2
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_norm = torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    log_probs = shifted - log_norm
    rows = torch.arange(n, device=x.device)
    loss = -log_probs[rows, y].mean()
    dlogits = torch.exp(log_probs)
    dlogits[rows, y] -= 1
    dlogits /= n
    dw2 = h.T @ dlogits
    db2 = dlogits.sum(dim=0)
    dz = (dlogits @ w2.T) * (z > 0)
    dw1 = x.T @ dz
    db1 = dz.sum(dim=0)
    return {"loss": loss, "dw1": dw1, "db1": db1, "dw2": dw2, "db2": db2}
