"""Case generators shared by every exercise package: seeded random arrays in the contract's dtypes.

Every function takes the case's `np.random.Generator` first, so a case is the same for the same
seed. Packages build their inputs from these instead of keeping private copies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

F32 = np.float32
F64 = np.float64
I64 = np.int64

Shape = tuple[int, ...]


def normal(rng: np.random.Generator, shape: Sequence[int], scale: float = 1.0) -> np.ndarray:
    """Standard normal values times `scale`, float32."""
    # np.asarray: a () shape must give a 0-d array, not a numpy scalar, to cross the protocol.
    return np.asarray(rng.standard_normal(tuple(shape)) * scale, dtype=F32)


def uniform(
    rng: np.random.Generator, shape: Sequence[int], low: float = -1.0, high: float = 1.0
) -> np.ndarray:
    return np.asarray(rng.uniform(low, high, size=tuple(shape)), dtype=F32)


def positive(
    rng: np.random.Generator, shape: Sequence[int], low: float = 0.5, high: float = 2.0
) -> np.ndarray:
    """Strictly positive float32 values (variances, scales)."""
    return np.asarray(rng.uniform(low, high, size=tuple(shape)), dtype=F32)


def shape(rng: np.random.Generator, *, rank: int, low: int = 1, high: int = 7) -> Shape:
    """A random shape of the given rank, every size in [low, high]."""
    return tuple(int(n) for n in rng.integers(low, high + 1, size=rank))


def sizes(rng: np.random.Generator, count: int, low: int = 1, high: int = 16) -> tuple[int, ...]:
    """`count` independent sizes in [low, high] (batch, features, hidden units …)."""
    return tuple(int(n) for n in rng.integers(low, high + 1, size=count))


def labels(rng: np.random.Generator, n: int, classes: int) -> np.ndarray:
    """Integer class labels in [0, classes), int64."""
    return rng.integers(0, classes, size=n).astype(I64)


def binary(rng: np.random.Generator, shape: Sequence[int], p: float = 0.5) -> np.ndarray:
    """0/1 targets as float32."""
    return (rng.random(tuple(shape)) < p).astype(F32)


def probabilities(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    """Soft targets in [0, 1], float32."""
    return rng.random(tuple(shape)).astype(F32)


def large_logits(rng: np.random.Generator, shape: Sequence[int], scale: float = 1e4) -> np.ndarray:
    """Logits spread over ±scale (stability probes), with near-ties at the top of each row."""
    x = rng.uniform(-scale, scale, size=tuple(shape))
    if x.ndim >= 1 and x.shape[-1] > 1:
        top = x.max(axis=-1, keepdims=True)
        x[..., :1] = top - rng.uniform(0, 3, size=(*x.shape[:-1], 1))
    return x.astype(F32)


def mask(rng: np.random.Generator, shape: Sequence[int], p_true: float = 0.5) -> np.ndarray:
    """A boolean mask whose last-axis rows each keep at least one True."""
    return keep_one(rng, rng.random(tuple(shape)) < p_true)


def keep_one(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """`mask` with one random True added to every last-axis row that has none."""
    if mask.ndim == 0:
        return np.asarray(True)
    flat = np.array(mask, dtype=bool).reshape(-1, mask.shape[-1])
    for row in flat:
        if not row.any():
            row[int(rng.integers(0, row.size))] = True
    return flat.reshape(mask.shape)


def grid(
    rng: np.random.Generator, shape: Sequence[int], *, low: int, high: int, step: float
) -> np.ndarray:
    """Float32 values on a grid (integers in [low, high] times `step`): exact in float32, so
    float32 and float64 agree on comparisons such as a ReLU's sign."""
    return (rng.integers(low, high + 1, size=tuple(shape)) * step).astype(F32)


def ints(rng: np.random.Generator, low: int, high: int) -> int:
    """One Python int in [low, high]."""
    return int(rng.integers(low, high + 1))


def pair_or_int(rng: np.random.Generator, low: int, high: int) -> int | tuple[int, int]:
    """An int, or an (int, int) pair half of the time: shape arguments take both forms."""
    a, b = ints(rng, low, high), ints(rng, low, high)
    return a if rng.random() < 0.5 else (a, b)
