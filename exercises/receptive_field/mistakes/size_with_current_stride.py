MISTAKE = {
    "framework": "python",
    "expect": {"sample: 7/2, 3/2, 3/1": "wrong_answer", "one stride-2 layer": "wrong_answer"},
    "messages": {"one stride-2 layer": "result: expected (3, 2)"},
    "diagnosis": {
        "en": "the size grows with the jump after this layer's stride: a layer's kernel spans units of the layer below, spaced by the jump before its own stride",
        "zh": "扩大感受野时用了乘上本层 stride 之后的 jump：本层卷积核覆盖的是下一层的单元，间距是乘本层 stride 之前的 jump",
    },
}


def receptive_field(layers):
    size, jump = 1, 1
    for kernel, stride, dilation in layers:
        jump *= stride
        size += dilation * (kernel - 1) * jump
    return size, jump
