"""dropout(x, p, training, keep): inverted dropout with a given keep mask."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises import checks
from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, ints, normal, shape
from exercises.specs import Array, Context
from grader.messages import localized


def _drop(rng: np.random.Generator, size: Shape, p: float, training: bool = True) -> Inputs:
    return Inputs(args=(normal(rng, size), p, training, rng.random(size) >= p))


def _kept_scaled(name: str, got: np.ndarray, context: Context) -> checks.CheckResult:
    """In training, dropped entries are 0 and kept ones x / (1 - p): name the rule broken."""
    x = np.asarray(context.argument("x"), np.float64)
    p = float(context.argument("p"))
    keep = np.asarray(context.argument("keep"), bool)
    if not context.argument("training") or got.shape != x.shape:
        return checks.passed()
    scale = 0.0 if p == 1 else 1 / (1 - p)
    factor_text = checks.format_number(scale)
    for mask, factor, rule in (
        (
            ~keep,
            0.0,
            ("dropped entries (keep False) must be 0", "被丢弃的元素（keep 为 False）必须为 0"),
        ),
        (
            keep,
            scale,
            (
                f"kept entries must be scaled by 1/(1 − p) = {factor_text}",
                f"保留的元素必须乘以 1/(1 − p) = {factor_text}",
            ),
        ),
    ):
        bad = mask & ~np.isclose(got, x * factor, rtol=context.rtol, atol=context.atol)
        if bad.any():
            at = tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), bad.shape))
            index = checks.format_index(at)
            ratio = checks.format_number(got[at] / x[at] if x[at] else np.nan)
            return checks.wrong(
                localized(
                    en=f"{name}: {rule[0]}; at index {index} got x × {ratio}",
                    zh=f"{name}：{rule[1]}；索引 {index} 处为 x × {ratio}",
                )
            )
    return checks.passed()


def _random(rng: np.random.Generator) -> Inputs:
    p = float(rng.integers(1, 20)) / 20
    return _drop(rng, shape(rng, rank=ints(rng, 1, 4), low=1, high=6), p, bool(rng.random() < 0.7))


SAMPLE_X = np.array([[1, -2, 3], [4, 5, -6]], dtype=F32)
SAMPLE_KEEP = np.array([[True, False, True], [False, True, True]])


class Dropout(Exercise):
    slug = "dropout"
    title_en = "Inverted dropout"
    title_zh = "Inverted Dropout（反向缩放的随机失活）"
    entry_point = "dropout"
    topic = "regularization"
    cards = ("简述dropout",)
    difficulty = "easy"
    position = 19
    # x * keep / (1 - p) is one rounding in float32; x * (1 / (1 - p)) is two.
    rtol = 1e-5
    atol = 1e-6
    output = Array(properties=(_kept_scaled,))
    forbidden_ops = ("dropout",)
    forbidden = (
        "torch.nn.functional.dropout",
        "torch.dropout",
        "torch.native_dropout",
        "torch.feature_dropout",
        "torch.nn.Dropout",
        "torch.nn.functional.dropout1d",
        "torch.nn.functional.dropout2d",
        "torch.nn.functional.dropout3d",
        "torch.nn.Dropout1d",
        "torch.nn.Dropout2d",
        "torch.nn.Dropout3d",
    )
    samples = (
        Sample(
            name="sample: training, p=0.5",
            inputs=Inputs(args=(SAMPLE_X, 0.5, True, SAMPLE_KEEP)),
        ),
        Sample(
            name="sample: eval, p=0.5",
            inputs=Inputs(args=(SAMPLE_X, 0.5, False, SAMPLE_KEEP)),
        ),
    )
    hidden = (
        HiddenCase("training, p=0.5", lambda rng: _drop(rng, (8, 12), 0.5)),
        HiddenCase("training, p=0.1, 3-D", lambda rng: _drop(rng, (3, 4, 5), 0.1)),
        HiddenCase("training, p=0.9", lambda rng: _drop(rng, (16, 16), 0.9)),
        HiddenCase("4-D (N, C, H, W), p=0.25", lambda rng: _drop(rng, (2, 3, 4, 5), 0.25)),
        HiddenCase("eval: x unchanged", lambda rng: _drop(rng, (6, 7), 0.5, training=False)),
        HiddenCase("training, p=0: x unchanged", lambda rng: _drop(rng, (5, 9), 0.0)),
        HiddenCase("training, p=1: all zeros", lambda rng: _drop(rng, (5, 9), 1.0)),
        HiddenCase("eval, p=1: x unchanged", lambda rng: _drop(rng, (4, 6), 1.0, training=False)),
        HiddenCase("a single element", lambda rng: _drop(rng, (1,), 0.3)),
        HiddenCase("random rank, p and mode", _random),
    )
    performance = PerformanceTest(
        name="fast enough on a (2048, 2048) input",
        make=lambda rng: _drop(rng, (2048, 2048), 0.3),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(self, x: np.ndarray, p: float, training: bool, keep: np.ndarray) -> np.ndarray:
        x64 = np.asarray(x, np.float64)
        if not training:
            return x64.astype(F32)
        if p == 1:
            return np.zeros_like(x64, dtype=F32)
        return (x64 * np.asarray(keep) / (1 - p)).astype(F32)

    def oracle(self, x: np.ndarray, p: float, training: bool, keep: np.ndarray) -> np.ndarray:
        """F.dropout in float64 wherever the draw does not matter (eval, p = 0 or 1); otherwise
        the given mask times the scale F.dropout gives a kept entry."""
        t = torch.tensor(np.asarray(x), dtype=torch.float64)
        if not training or p in (0, 1):
            return F.dropout(t, p, training).numpy().astype(F32)
        with torch.random.fork_rng():
            torch.manual_seed(0)
            scale = F.dropout(torch.ones(1000, dtype=torch.float64), p, True).max()
        return (t * torch.tensor(np.asarray(keep)) * scale).numpy().astype(F32)
