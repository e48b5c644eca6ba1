import torch

MISTAKE = {
    "framework": "torch",
    "expect": {"sample: length 4, d_model 4": "wrong_answer", "d_model 1024": "wrong_answer"},
    "diagnosis": {
        "en": "sin and cos are swapped: even columns 2i take sin, odd columns 2i+1 take cos",
        "zh": "sin 和 cos 放反了：偶数列 2i 用 sin，奇数列 2i+1 用 cos",
    },
}


def sinusoidal_positional_encoding(length, d_model, base=10000.0):
    if d_model % 2:
        raise ValueError("d_model must be even")
    position = torch.arange(length, dtype=torch.float32)[:, None]
    angle = position / base ** (torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    table = torch.zeros(length, d_model)
    table[:, 0::2] = torch.cos(angle)
    table[:, 1::2] = torch.sin(angle)
    return table
