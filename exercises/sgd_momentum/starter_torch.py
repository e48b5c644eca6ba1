import torch


def sgd_step(param, grad, buf, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """One step of torch.optim.SGD; returns (new_param, new_buf), new_buf None when momentum == 0."""
    raise NotImplementedError
