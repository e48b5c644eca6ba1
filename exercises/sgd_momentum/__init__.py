"""sgd_step(param, grad, buf, lr, ...): one step of torch.optim.SGD (momentum, dampening, weight
decay, Nesterov), the momentum buffer passed in and returned."""

from __future__ import annotations

from functools import partial
from typing import TypedDict, Unpack

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, normal, shape
from exercises.specs import Array, Optional, Tuple


class _Options(TypedDict, total=False):
    """sgd_step's keyword arguments after lr."""

    momentum: float
    dampening: float
    weight_decay: float
    nesterov: bool


def _sgd(
    rng: np.random.Generator,
    *,
    size: Shape | None = None,
    first: bool = False,
    random: bool = False,
    **kwargs: Unpack[_Options],
) -> Inputs:
    size = shape(rng, rank=int(rng.integers(1, 4)), high=9) if size is None else size
    if random:
        momentum = float(rng.choice([0.0, 0.5, 0.9]))
        nesterov = bool(momentum > 0 and rng.random() < 0.5)
        kwargs = {"momentum": momentum, "nesterov": nesterov}
        kwargs["dampening"] = 0.0 if nesterov else float(rng.choice([0.0, 0.3]))
        kwargs["weight_decay"] = float(rng.choice([0.0, 1e-2]))
        first = rng.random() < 0.3
    has_buf = not first and kwargs.get("momentum", 0.0) > 0
    # np.asarray: a 0-d draw must stay an array, not become a numpy scalar.
    param, grad, buf = (np.asarray(normal(rng, size, s)) for s in (1.0, 0.5, 0.5))
    lr = float(rng.uniform(0.01, 0.5))
    return Inputs(args=(param, grad, buf if has_buf else None, lr), kwargs=kwargs)


def _performance(rng: np.random.Generator) -> Inputs:
    return _sgd(rng, size=(1024, 1024), momentum=0.9, weight_decay=1e-4, nesterov=True)


def _arrays(*rows: list[float]) -> tuple[np.ndarray, ...]:
    return tuple(np.array(row, dtype=F32) for row in rows)


class SgdMomentum(Exercise):
    slug = "sgd-momentum"
    title_en = "One step of SGD with momentum"
    title_zh = "带动量的 SGD 单步更新"
    entry_point = "sgd_step"
    topic = "optimization"
    cards = ("简述SGD", "为什么使用随机梯度下降？")
    difficulty = "medium"
    position = 20
    rtol = 1e-4
    atol = 1e-6
    output = Tuple(Array(), Optional(Array()), names=("new_param", "new_buf"))
    expected_exceptions = (ValueError,)
    forbidden = ("torch.optim", "torch._fused_sgd_")
    samples = (
        Sample(
            name="sample: plain SGD (momentum 0)",
            inputs=Inputs(args=(*_arrays([1.0, -2.0, 0.5], [0.5, 0.5, -1.0]), None, 0.1)),
        ),
        Sample(
            name="sample: momentum, dampening and weight decay on a later step",
            inputs=Inputs(
                args=(*_arrays([1.0, 2.0], [0.5, -1.0], [1.0, 0.0]), 0.1),
                kwargs={"momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1},
            ),
        ),
        Sample(
            name="sample: Nesterov, first step",
            inputs=Inputs(
                args=(*_arrays([1.0, 2.0], [0.5, -1.0]), None, 0.1),
                kwargs={"momentum": 0.9, "nesterov": True},
            ),
        ),
    )
    hidden = (
        HiddenCase("plain SGD: new_buf is None", partial(_sgd)),
        HiddenCase("weight decay without momentum", partial(_sgd, weight_decay=0.05)),
        HiddenCase(
            "first step: the buffer is the gradient", partial(_sgd, first=True, momentum=0.9)
        ),
        HiddenCase(
            "first step ignores dampening", partial(_sgd, first=True, momentum=0.8, dampening=0.3)
        ),
        HiddenCase("later step with dampening", partial(_sgd, momentum=0.9, dampening=0.25)),
        HiddenCase(
            "later step with weight decay and momentum",
            partial(_sgd, momentum=0.9, weight_decay=0.1),
        ),
        HiddenCase(
            "Nesterov on a later step with weight decay",
            partial(_sgd, momentum=0.9, weight_decay=0.01, nesterov=True),
        ),
        HiddenCase("0-d parameter", partial(_sgd, size=(), momentum=0.5, weight_decay=0.1)),
        HiddenCase(
            "Nesterov without momentum raises ValueError", partial(_sgd, first=True, nesterov=True)
        ),
        HiddenCase(
            "Nesterov with dampening raises ValueError",
            partial(_sgd, momentum=0.9, dampening=0.1, nesterov=True),
        ),
        HiddenCase("random arguments, set 1", partial(_sgd, random=True)),
        HiddenCase("random arguments, set 2", partial(_sgd, random=True)),
    )
    performance = PerformanceTest(
        name="fast enough on a (1024, 1024) parameter",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        param: np.ndarray,
        grad: np.ndarray,
        buf: np.ndarray | None,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        p = np.asarray(param, dtype=np.float64)
        d = np.asarray(grad, dtype=np.float64) + weight_decay * p
        new_buf = None
        if momentum != 0:
            # torch.optim.SGD's first step copies the gradient into the buffer, no dampening.
            new_buf = d if buf is None else momentum * buf + (1 - dampening) * d
            d = d + momentum * new_buf if nesterov else new_buf
        result = np.asarray(p - lr * d, dtype=F32)
        return result, None if new_buf is None else np.asarray(new_buf, dtype=F32)

    def oracle(
        self,
        param: np.ndarray,
        grad: np.ndarray,
        buf: np.ndarray | None,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """torch.optim.SGD stepping a float64 nn.Parameter whose state holds the buffer."""
        p = torch.nn.Parameter(torch.tensor(param, dtype=torch.float64))
        p.grad = torch.tensor(grad, dtype=torch.float64)
        optimizer = torch.optim.SGD(
            [p],
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
        )
        if buf is not None:
            optimizer.state[p]["momentum_buffer"] = torch.tensor(buf, dtype=torch.float64)
        optimizer.step()
        new_buf = optimizer.state[p].get("momentum_buffer")
        new_param = p.detach().numpy().astype(F32)
        return new_param, None if new_buf is None else new_buf.numpy().astype(F32)
