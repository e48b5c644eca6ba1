MISTAKE = {
    "framework": "python",
    "edge": True,
    "expect": {"dilation 2": "wrong_answer", "WaveNet dilations 1, 2, 4, 8": "wrong_answer"},
    "messages": {"dilation 2": "result: expected (7, 1)"},
    "diagnosis": {
        "en": "dilation is ignored: a dilated kernel spans dilation * (kernel - 1) + 1 units of the layer below",
        "zh": "忽略了 dilation：空洞卷积核覆盖下一层的 dilation·(kernel − 1) + 1 个单元",
    },
}


def receptive_field(layers):
    size, jump = 1, 1
    for kernel, stride, _ in layers:
        size += (kernel - 1) * jump
        jump *= stride
    return size, jump
