import numpy as np

MISTAKE = {
    "framework": "numpy",
    "expect": {"sample: two rows of three outcomes": "wrong_answer", "2-D input": "wrong_answer"},
    "diagnosis": {
        "en": "this is KL(Q || P): the divergence is not symmetric; weight log(P/Q) by P",
        "zh": "算成了 KL(Q || P)：KL 散度不对称；应以 P 为权重对 log(P/Q) 求和",
    },
}


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def kl_divergence(p_logits, q_logits):
    log_p, log_q = _log_softmax(p_logits), _log_softmax(q_logits)
    return (np.exp(log_q) * (log_q - log_p)).sum(axis=-1)
