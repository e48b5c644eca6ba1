"""layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5) = F.layer_norm."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, ints, normal, shape, uniform
from exercises.specs import Array


def _ln(
    rng: np.random.Generator,
    size: Shape,
    k: int,
    *,
    affine: tuple[bool, bool] = (True, True),
    offset: float = 256.0,
    scale: float = 1.0,
    eps: float | None = None,
    defaults: bool = False,
) -> Inputs:
    """x = offset + scale·N(0, 1) of `size`, normalised over its last k dims; random affine
    parameters (weight in ±1.5, bias ~ N(0, 0.5²)) where `affine` says so, else None."""
    x = (offset + scale * rng.standard_normal(size)).astype(F32)
    dims = tuple(size[len(size) - k :])
    weight = uniform(rng, dims, -1.5, 1.5) if affine[0] else None
    bias = normal(rng, dims, 0.5) if affine[1] else None
    kwargs: dict[str, np.ndarray | float | None] = (
        {} if defaults else {"weight": weight, "bias": bias}
    )
    if eps is not None:
        kwargs["eps"] = eps
    ns: int | Shape = dims[0] if k == 1 and rng.random() < 0.5 else dims
    return Inputs(args=(x, ns), kwargs=kwargs)


def _random(rng: np.random.Generator) -> Inputs:
    rank = ints(rng, 1, 4)
    with_weight, with_bias = (bool(b) for b in rng.random(2) < 0.5)
    return _ln(
        rng,
        shape(rng, rank=rank, low=1, high=6),
        ints(rng, 1, rank),
        affine=(with_weight, with_bias),
    )


class LayerNorm(Exercise):
    slug = "layer-norm"
    title_en = "Layer normalisation"
    title_zh = "层归一化（LayerNorm）"
    entry_point = "layer_norm"
    topic = "regularization"
    cards = ("简述layer normalization", "简述BN和LN的关系")
    difficulty = "medium"
    position = 16
    # Inputs sit around 256, where a float32 ulp is 3e-5: an honest float32 solution (and
    # F.layer_norm itself) is up to ~1.5e-4 off the float64 values.
    rtol = 1e-4
    atol = 3e-4
    output = Array()
    forbidden_ops = ("layer_norm", "batch_norm")
    forbidden = (
        "torch.nn.functional.layer_norm",
        "torch.layer_norm",
        "torch.native_layer_norm",
        "torch.nn.LayerNorm",
        "torch.nn.functional.group_norm",
        "torch.group_norm",
        "torch.nn.GroupNorm",
        "torch.nn.functional.instance_norm",
        "torch.instance_norm",
        "torch.nn.functional.batch_norm",
        "torch.batch_norm",
    )
    samples = (
        Sample(
            name="sample: two rows, normalized_shape=4",
            inputs=Inputs(args=(np.array([[1, 2, 3, 4], [-1, 0, 0, 5]], dtype=F32), 4)),
        ),
        Sample(
            name="sample: last two dims, with weight and bias",
            inputs=Inputs(
                args=(np.array([[[0, 1, 2], [3, 4, 8]]], dtype=F32), (2, 3)),
                kwargs={
                    "weight": np.array([[1, 2, 0.5], [1, -1, 1]], dtype=F32),
                    "bias": np.array([[0, 0, 0], [0.5, 0.5, -1]], dtype=F32),
                },
            ),
        ),
    )
    hidden = (
        HiddenCase("2-D, defaults", lambda rng: _ln(rng, (7, 48), 1, defaults=True)),
        HiddenCase("last two dims, weight and bias", lambda rng: _ln(rng, (4, 6, 10), 2)),
        HiddenCase("normalized_shape a 1-tuple", lambda rng: _ln(rng, (3, 5, 32), 1)),
        HiddenCase(
            "weight only, bias None", lambda rng: _ln(rng, (6, 20), 1, affine=(True, False))
        ),
        HiddenCase(
            "bias only, weight None", lambda rng: _ln(rng, (6, 20), 1, affine=(False, True))
        ),
        HiddenCase("non-default eps=0.1", lambda rng: _ln(rng, (5, 24), 1, eps=0.1)),
        HiddenCase(
            "tiny variance: eps matters", lambda rng: _ln(rng, (5, 16), 1, offset=0.0, scale=1e-3)
        ),
        HiddenCase("4-D input over (C, H, W)", lambda rng: _ln(rng, (2, 3, 4, 5), 3)),
        HiddenCase("every dim normalised", lambda rng: _ln(rng, (3, 4, 5), 3)),
        HiddenCase("size-1 normalised dim: output is the bias", lambda rng: _ln(rng, (5, 1), 1)),
        HiddenCase("random rank and normalised dims", _random),
    )
    performance = PerformanceTest(
        name="fast enough on a (2048, 1024) input",
        make=lambda rng: _ln(rng, (2048, 1024), 1, offset=0.0),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        x: np.ndarray,
        normalized_shape: int | tuple[int, ...],
        weight: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        eps: float = 1e-5,
    ) -> np.ndarray:
        dims = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        axes = tuple(range(-len(dims), 0))
        x64 = np.asarray(x, np.float64)
        centred = x64 - x64.mean(axis=axes, keepdims=True)
        y = centred / np.sqrt((centred**2).mean(axis=axes, keepdims=True) + eps)
        if weight is not None:
            y = y * np.asarray(weight, np.float64)
        if bias is not None:
            y = y + np.asarray(bias, np.float64)
        return y.astype(F32)

    def oracle(
        self,
        x: np.ndarray,
        normalized_shape: int | tuple[int, ...],
        weight: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        eps: float = 1e-5,
    ) -> np.ndarray:
        """F.layer_norm in float64 (in float32 it is itself ~1e-4 off on inputs near 256)."""
        dims = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape

        def t(a: np.ndarray) -> torch.Tensor:
            return torch.tensor(np.asarray(a), dtype=torch.float64)

        def t_or_none(a: np.ndarray | None) -> torch.Tensor | None:
            return None if a is None else t(a)

        y = F.layer_norm(t(x), tuple(dims), t_or_none(weight), t_or_none(bias), eps)
        return y.numpy().astype(F32)
