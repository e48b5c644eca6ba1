"""clip_grad_norm(grads, max_norm, norm_type=2.0): clip gradients by their global norm, as
torch.nn.utils.clip_grad_norm_ does."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import torch

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, ints, normal, shape
from exercises.specs import Array, Sequence, Tuple

EPS = 1e-6  # clip_grad_norm_'s own: coefficient max_norm / (total_norm + 1e-6)


def _total_norm(grads: tuple[np.ndarray, ...], norm_type: float) -> float:
    flat = np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads])
    return float(np.linalg.norm(flat, ord=norm_type))


def _clip(
    rng: np.random.Generator,
    *,
    shapes: list[Shape] | None = None,
    scale: float = 1.0,
    ratio: float | None = None,
    random: bool = False,
    norm_type: float | None = None,
) -> Inputs:
    """Gradients whose total norm is `ratio` times max_norm's inverse: ratio < 1 clips.
    norm_type None: the argument is left out (its default, 2)."""
    if random:
        norm_type = float(rng.choice([1.0, 2.0, 3.0, math.inf]))
        ratio = float(rng.choice([0.3, 0.6, 1.5, 3.0]))
    if shapes is None:
        shapes = [shape(rng, rank=ints(rng, 1, 3), high=8) for _ in range(ints(rng, 2, 5))]
    # np.asarray: a 0-d draw must stay an array, not become a numpy scalar.
    grads = tuple(np.asarray(normal(rng, s, scale)) for s in shapes)
    total = _total_norm(grads, 2.0 if norm_type is None else norm_type)
    max_norm = float(rng.uniform(0.3, 0.7) if ratio is None else ratio) * total or 1.0
    kwargs = {} if norm_type is None else {"norm_type": norm_type}
    return Inputs(args=(grads, max_norm), kwargs=kwargs)


def _performance(rng: np.random.Generator) -> Inputs:
    return _clip(rng, shapes=[(1024, 1024), (1024,), (512, 1024), (1024,)], ratio=0.5)


def _arrays(*rows: list[float] | list[list[float]]) -> tuple[np.ndarray, ...]:
    return tuple(np.array(row, dtype=F32) for row in rows)


class ClipGradNorm(Exercise):
    slug = "clip-grad-norm"
    title_en = "Gradient clipping by the global norm"
    title_zh = "按全局范数裁剪梯度"
    entry_point = "clip_grad_norm"
    topic = "gradient-problems"
    cards = ("梯度消失&梯度爆炸的解决方案是什么？", "梯度爆炸引发的问题？")
    difficulty = "easy"
    position = 22
    # Clipping scales every entry by one factor, so the error of a float32 solution is relative;
    # a tiny atol lets the tiny-gradient case tell the 1e-6 in the coefficient apart.
    rtol = 1e-4
    atol = 1e-10
    output = Tuple(Sequence(Array()), Array(), names=("clipped_grads", "total_norm"))
    forbidden = (
        "torch.nn.utils.clip_grad_norm_",
        "torch.nn.utils.clip_grad_norm",
        "torch.nn.utils.clip_grads_with_norm_",
        "torch.nn.utils.get_total_norm",
        "torch.nn.utils.clip_grad",
    )
    samples = (
        Sample(
            name="sample: two gradients clipped to norm 1",
            inputs=Inputs(args=(_arrays([3.0, 0.0], [[0.0, 4.0]]), 1.0)),
        ),
        Sample(
            name="sample: 1-norm below max_norm, unchanged",
            inputs=Inputs(args=(_arrays([0.5, -0.25], [0.25]), 2.0), kwargs={"norm_type": 1.0}),
        ),
    )
    hidden = (
        HiddenCase("one gradient, clipped", partial(_clip, shapes=[(7, 3)], ratio=0.5)),
        HiddenCase("several gradients share one global norm", partial(_clip, ratio=0.4)),
        HiddenCase("norm below max_norm: gradients unchanged", partial(_clip, ratio=2.0)),
        HiddenCase("norm_type = 1", partial(_clip, norm_type=1.0)),
        HiddenCase("norm_type = inf", partial(_clip, norm_type=math.inf)),
        HiddenCase("norm_type = 3", partial(_clip, norm_type=3.0)),
        HiddenCase(
            "tiny gradients: the 1e-6 in max_norm / (total_norm + 1e-6)",
            partial(_clip, scale=1e-7, ratio=1.0),
        ),
        HiddenCase("all gradients zero", partial(_clip, scale=0.0)),
        HiddenCase("0-d and size-1 gradients", partial(_clip, shapes=[(), (1,), (1, 1)])),
        HiddenCase("large gradients (scale 1e3)", partial(_clip, scale=1e3, ratio=0.01)),
        HiddenCase("random gradients and norm type, set 1", partial(_clip, random=True)),
        HiddenCase("random gradients and norm type, set 2", partial(_clip, random=True)),
    )
    performance = PerformanceTest(
        name="fast enough on 1.5 million gradient entries",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, grads: tuple[np.ndarray, ...], max_norm: float, norm_type: float = 2.0
    ) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        total = _total_norm(grads, norm_type)
        coef = min(max_norm / (total + EPS), 1.0)
        clipped = tuple(
            np.asarray(np.asarray(g, dtype=np.float64) * coef, dtype=F32) for g in grads
        )
        return clipped, np.asarray(total, dtype=F32)

    def oracle(
        self, grads: tuple[np.ndarray, ...], max_norm: float, norm_type: float = 2.0
    ) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """clip_grad_norm_ on float64 nn.Parameters whose .grad are the gradients."""
        params: list[torch.nn.Parameter] = []
        for grad in grads:
            param = torch.nn.Parameter(torch.zeros(np.shape(grad), dtype=torch.float64))
            param.grad = torch.tensor(grad, dtype=torch.float64)
            params.append(param)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        clipped = []
        for p in params:
            assert p.grad is not None, "every parameter was given a gradient above"
            clipped.append(p.grad.numpy().astype(F32))
        return tuple(clipped), total.numpy().astype(F32)
