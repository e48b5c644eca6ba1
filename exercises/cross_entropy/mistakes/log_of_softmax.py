import torch

MISTAKE = {
    "framework": "torch",
    "edge": True,
    "expect": {"stable for logits up to ±1e4": "invalid_output"},
    "messages": {"stable for logits up to ±1e4": "first inf"},
    "diagnosis": {
        "en": "log(softmax): a target probability that underflows to 0 gives log 0 = -inf; "
        "subtract the log-sum-exp from the logits instead",
        "zh": "先算 softmax 再取 log：目标类的概率下溢为 0 时 log 0 = -inf；应直接用 logits 减去 log-sum-exp",
    },
}


def cross_entropy(logits, target, label_smoothing=0.0):
    e = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    log_probs = torch.log(e / e.sum(dim=1, keepdim=True))
    loss = -log_probs.gather(1, target[:, None]).squeeze(1)
    if label_smoothing:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(dim=1)
    return loss.mean()
