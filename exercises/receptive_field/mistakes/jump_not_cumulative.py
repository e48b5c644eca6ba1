MISTAKE = {
    "framework": "python",
    "expect": {"sample: 7/2, 3/2, 3/1": "wrong_answer", "four stride-2 3x3 layers": "wrong_answer"},
    "diagnosis": {
        "en": "the jump is not cumulative: it is the product of all strides so far, not the last stride",
        "zh": "jump 没有累乘：它是到当前层为止所有 stride 的乘积，而不是上一层的 stride",
    },
}


def receptive_field(layers):
    size, jump = 1, 1
    for kernel, stride, dilation in layers:
        size += dilation * (kernel - 1) * jump
        jump = stride
    return size, jump
