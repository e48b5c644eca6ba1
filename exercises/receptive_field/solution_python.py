def receptive_field(layers):
    size, jump = 1, 1
    for kernel, stride, dilation in layers:
        size += dilation * (kernel - 1) * jump  # jump: input pixels between adjacent units
        jump *= stride
    return size, jump
