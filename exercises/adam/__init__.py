"""adam_step(param, grad, m, v, step, ...): one step of torch.optim.Adam, or AdamW with
decoupled=True, the moment estimates passed in and returned."""

from __future__ import annotations

import math
from functools import partial
from typing import TypedDict, Unpack

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, normal, positive, shape
from exercises.specs import Array, Tuple


class _DecayOptions(TypedDict, total=False):
    """adam_step's keyword arguments other than lr, which _lr draws itself."""

    betas: tuple[float, float]
    eps: float
    weight_decay: float
    decoupled: bool


class _Options(_DecayOptions, total=False):
    """The keyword arguments of adam_step after `step`."""

    lr: float


def _adam(
    rng: np.random.Generator,
    *,
    size: Shape | None = None,
    step: int | None = None,
    scale: float = 1.0,
    zero_grad: bool = False,
    random: bool = False,
    **kwargs: Unpack[_Options],
) -> Inputs:
    size = shape(rng, rank=int(rng.integers(1, 4)), high=9) if size is None else size
    step = int(rng.integers(2, 50)) if step is None else step
    if random:
        kwargs = {
            "lr": float(rng.uniform(1e-3, 0.1)),
            "betas": (float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.9999))),
            "eps": float(rng.choice([1e-8, 1e-6])),
            "weight_decay": float(rng.choice([0.0, 0.05])),
            "decoupled": bool(rng.random() < 0.5),
        }
    # np.asarray: a 0-d draw must stay an array, not become a numpy scalar.
    param = np.asarray(normal(rng, size))
    grad = np.asarray(normal(rng, size, 0.5 * scale) * (not zero_grad))
    m = np.asarray(normal(rng, size, 0.3 * scale) * (step > 1))
    v = np.asarray(positive(rng, size, 0.05, 0.5) * scale**2 * (step > 1))
    return Inputs(args=(param, grad, m, v, step), kwargs=kwargs)


def _lr(
    rng: np.random.Generator,
    *,
    size: Shape | None = None,
    step: int | None = None,
    scale: float = 1.0,
    zero_grad: bool = False,
    **kwargs: Unpack[_DecayOptions],
) -> Inputs:
    """A random learning rate large enough for an error in the update to show."""
    return _adam(
        rng,
        size=size,
        step=step,
        scale=scale,
        zero_grad=zero_grad,
        lr=float(rng.uniform(0.01, 0.1)),
        **kwargs,
    )


def _performance(rng: np.random.Generator) -> Inputs:
    return _adam(rng, size=(1024, 1024), step=100, lr=1e-3, weight_decay=0.01, decoupled=True)


def _arrays(*rows: list[float]) -> tuple[np.ndarray, ...]:
    return tuple(np.array(row, dtype=F32) for row in rows)


class Adam(Exercise):
    slug = "adam"
    title_en = "One step of Adam and AdamW"
    title_zh = "Adam 与 AdamW 的单步更新"
    entry_point = "adam_step"
    topic = "optimization"
    cards = ("简述Adam",)
    difficulty = "medium"
    position = 21
    rtol = 1e-4
    atol = 1e-6
    output = Tuple(Array(), Array(), Array(), names=("new_param", "new_m", "new_v"))
    forbidden = ("torch.optim", "torch._fused_adam_", "torch._fused_adamw_")
    samples = (
        Sample(
            name="sample: first step",
            inputs=Inputs(
                args=(*_arrays([1.0, -2.0, 0.5], [0.1, -0.2, 0.3], [0, 0, 0], [0, 0, 0]), 1),
                kwargs={"lr": 0.1},
            ),
        ),
        Sample(
            name="sample: AdamW, third step",
            inputs=Inputs(
                args=(*_arrays([1.0, 2.0], [0.5, -1.0], [0.1, -0.2], [0.01, 0.04]), 3),
                kwargs={"lr": 0.01, "weight_decay": 0.1, "decoupled": True},
            ),
        ),
    )
    hidden = (
        HiddenCase("first step, default hyperparameters", partial(_adam, step=1)),
        HiddenCase("later step (step = 10)", partial(_lr, step=10)),
        HiddenCase("step 1000: beta2's bias correction still matters", partial(_lr, step=1000)),
        HiddenCase("L2 weight decay (Adam)", partial(_lr, weight_decay=0.1)),
        HiddenCase(
            "decoupled weight decay (AdamW)", partial(_lr, weight_decay=0.1, decoupled=True)
        ),
        HiddenCase(
            "AdamW on the first step", partial(_lr, step=1, weight_decay=0.05, decoupled=True)
        ),
        HiddenCase("custom betas and eps", partial(_lr, betas=(0.8, 0.99), eps=1e-6)),
        HiddenCase(
            "tiny gradients: eps is added after the square root",
            partial(_lr, step=1, scale=1e-6),
        ),
        HiddenCase("0-d parameter", partial(_lr, size=(), weight_decay=0.01)),
        HiddenCase(
            "zero gradient: the moments still move the parameter", partial(_lr, zero_grad=True)
        ),
        HiddenCase("random arguments, set 1", partial(_adam, random=True)),
        HiddenCase("random arguments, set 2", partial(_adam, random=True)),
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
        m: np.ndarray,
        v: np.ndarray,
        step: int,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p, g, m, v = (np.asarray(a, dtype=np.float64) for a in (param, grad, m, v))
        beta1, beta2 = betas
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        denom = np.sqrt(v) / math.sqrt(1 - beta2**step) + eps
        p = p - lr / (1 - beta1**step) * m / denom
        return np.asarray(p, dtype=F32), np.asarray(m, dtype=F32), np.asarray(v, dtype=F32)

    def oracle(
        self,
        param: np.ndarray,
        grad: np.ndarray,
        m: np.ndarray,
        v: np.ndarray,
        step: int,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """torch.optim.Adam / AdamW stepping a float64 nn.Parameter whose state is set; AdamW's
        own default weight decay is 0.01, so it is always passed."""
        p = torch.nn.Parameter(torch.tensor(param, dtype=torch.float64))
        p.grad = torch.tensor(grad, dtype=torch.float64)
        kind = torch.optim.AdamW if decoupled else torch.optim.Adam
        optimizer = kind([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        optimizer.state[p].update(
            step=torch.tensor(float(step - 1)),
            exp_avg=torch.tensor(m, dtype=torch.float64),
            exp_avg_sq=torch.tensor(v, dtype=torch.float64),
        )
        optimizer.step()
        state = optimizer.state[p]
        new_p, new_m, new_v = (
            t.detach().numpy().astype(F32) for t in (p, state["exp_avg"], state["exp_avg_sq"])
        )
        return new_p, new_m, new_v
