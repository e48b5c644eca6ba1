import torch

MISTAKE = {
    "framework": "torch",
    "expect": {"random sizes": "wrong_answer"},
    "messages": {"random sizes": "wrong parts: h_next, c_next."},
    "diagnosis": {
        "en": "the gates are read as (i, f, o, g); nn.LSTMCell's order is input, forget, cell (g), output",
        "zh": "门的顺序按 (i, f, o, g) 读取了；nn.LSTMCell 的顺序是 输入门、遗忘门、候选 g、输出门",
    },
}


def lstm_step(x, h, c, w_ih, w_hh, b_ih, b_hh):
    gates = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f, o, g = gates.chunk(4, dim=1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next
