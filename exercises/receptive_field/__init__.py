"""receptive_field(layers): receptive field size and jump of a stack of conv/pool layers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, Sample
from exercises.gen import ints
from exercises.specs import IntTuple

Layer = tuple[int, int, int]


def _fixed(layers: list[Layer]) -> Callable[[np.random.Generator], Inputs]:
    return lambda rng: Inputs(args=(list(layers),))


def _random(rng: np.random.Generator) -> Inputs:
    layers = [(ints(rng, 1, 7), ints(rng, 1, 3), ints(rng, 1, 3)) for _ in range(ints(rng, 1, 8))]
    return Inputs(args=(layers,))


ALEXNET = [(11, 4, 1), (3, 2, 1), (5, 1, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1), (3, 1, 1), (3, 2, 1)]
# conv1 + max-pool, then the first 3x3 convolution of each stage (stride 2 from stage 2 on).
RESNET = [(7, 2, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1), (3, 2, 1), (3, 1, 1), (3, 2, 1), (3, 1, 1)]


class ReceptiveField(Exercise):
    slug = "receptive-field"
    title_en = "Receptive field of a layer stack"
    title_zh = "多层网络的感受野"
    entry_point = "receptive_field"
    topic = "cnn"
    cards = ("简述空洞卷积", "网络设计中，为什么卷积核设计尺寸都是奇数？")
    difficulty = "easy"
    position = 27
    frameworks = ("python",)
    output = IntTuple()
    forbidden_ops = ("convolution",)
    forbidden = (
        "torch.nn.functional.conv1d",
        "torch.nn.functional.conv2d",
        "torch.nn.functional.conv_transpose1d",
        "torch.nn.functional.conv_transpose2d",
        "torch.nn.Conv1d",
        "torch.nn.Conv2d",
        "torch.autograd",
        "torch.Tensor.backward",
    )
    samples = (
        Sample("sample: two 3x3 layers", Inputs(args=([(3, 1, 1), (3, 1, 1)],))),
        Sample("sample: 7/2, 3/2, 3/1", Inputs(args=([(7, 2, 1), (3, 2, 1), (3, 1, 1)],))),
    )
    hidden = (
        HiddenCase("no layers", _fixed([])),
        HiddenCase("one 5x5 layer", _fixed([(5, 1, 1)])),
        HiddenCase("one stride-2 layer", _fixed([(3, 2, 1)])),
        HiddenCase("four stride-2 3x3 layers", _fixed([(3, 2, 1)] * 4)),
        HiddenCase("dilation 2", _fixed([(3, 1, 2), (3, 1, 1)])),
        HiddenCase(
            "WaveNet dilations 1, 2, 4, 8", _fixed([(2, 1, 1), (2, 1, 2), (2, 1, 4), (2, 1, 8)])
        ),
        HiddenCase("dilation after a stride", _fixed([(3, 2, 1), (3, 1, 2), (3, 2, 3)])),
        HiddenCase("1x1 layers move only the jump", _fixed([(1, 2, 1), (1, 3, 1)])),
        HiddenCase("AlexNet-like stack", _fixed(ALEXNET)),
        HiddenCase("ResNet-18 stem and stages", _fixed(RESNET)),
        HiddenCase("random stack, set 1", _random),
        HiddenCase("random stack, set 2", _random),
        HiddenCase("random stack, set 3", _random),
    )

    def reference(self, layers: list[Layer]) -> tuple[int, int]:
        size, jump = 1, 1
        for kernel, stride, dilation in layers:
            # A dilated kernel spans dilation * (kernel - 1) + 1 units of the previous layer,
            # which are `jump` input pixels apart.
            size += dilation * (kernel - 1) * jump
            jump *= stride
        return size, jump

    def oracle(self, layers: list[Layer]) -> tuple[int, int]:
        """Brute force: an impulse on output unit 0, then on unit 1, pushed back through the stack
        with all-ones kernels (the adjoint of each convolution); the input pixels it reaches are
        that unit's field."""
        first = []
        for unit in (0, 1):
            y = torch.zeros(1, 1, 2, dtype=torch.float64)
            y[..., unit] = 1.0
            for kernel, stride, dilation in reversed(layers):
                ones = torch.ones(1, 1, kernel, dtype=torch.float64)
                y = F.conv_transpose1d(y, ones, stride=stride, dilation=dilation)
            reached = torch.nonzero(y[0, 0]).flatten()
            first.append((int(reached[0]), int(reached[-1])))
        return first[0][1] - first[0][0] + 1, first[1][0] - first[0][0]
