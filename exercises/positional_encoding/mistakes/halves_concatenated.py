import torch

MISTAKE = {
    "framework": "torch",
    "expect": {"sample: length 3, d_model 6": "wrong_answer", "random sizes": "wrong_answer"},
    "diagnosis": {
        "en": "all sines come first and all cosines after ([sin | cos]); the table interleaves them, sin in column 2i and cos in column 2i+1",
        "zh": "先放全部 sin 再放全部 cos（[sin | cos]）；应交错排列，第 2i 列为 sin，第 2i+1 列为 cos",
    },
}


def sinusoidal_positional_encoding(length, d_model, base=10000.0):
    if d_model % 2:
        raise ValueError("d_model must be even")
    position = torch.arange(length, dtype=torch.float32)[:, None]
    angle = position / base ** (torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    return torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)
