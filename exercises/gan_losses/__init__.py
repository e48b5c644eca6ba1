"""gan_losses(d_real_logits, d_fake_logits): the discriminator's BCE loss and the non-saturating
generator loss of a GAN, from the discriminator's logits, stable for any logit."""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, Shape, ints, large_logits, normal, shape
from exercises.specs import Array, Tuple, non_negative


def _gan(
    rng: np.random.Generator,
    *,
    real: Shape | None = None,
    fake: Shape | None = None,
    scale: float = 3.0,
    real_shift: float = 0.0,
    fake_shift: float = 0.0,
) -> Inputs:
    real = (ints(rng, 2, 32),) if real is None else real
    fake = (ints(rng, 2, 32),) if fake is None else fake
    d_real = normal(rng, real, scale) + np.float32(real_shift)
    d_fake = normal(rng, fake, scale) + np.float32(fake_shift)
    return Inputs(args=(d_real, d_fake))


def _extreme(rng: np.random.Generator, *, scale: float) -> Inputs:
    real, fake = (large_logits(rng, (ints(rng, 4, 16),), scale) for _ in range(2))
    real[0], fake[0] = -scale, scale  # the worst case of each term
    return Inputs(args=(real, fake))


def _random_shape(rng: np.random.Generator) -> Inputs:
    size = shape(rng, rank=ints(rng, 1, 4), high=6)
    return _gan(rng, real=size, fake=(ints(rng, 1, 6), *size[1:]))


def _performance(rng: np.random.Generator) -> Inputs:
    return _gan(rng, real=(1 << 19,), fake=(1 << 19,))


class GanLosses(Exercise):
    slug = "gan-losses"
    title_en = "GAN losses from discriminator logits"
    title_zh = "由判别器 logits 计算 GAN 损失"
    entry_point = "gan_losses"
    topic = "generative-models"
    cards = ("简述GAN基本原理", "简述Discriminator")
    difficulty = "easy"
    position = 38
    rtol = 1e-4
    atol = 1e-6
    # A scalar loss in float64 is harmless.
    output = Tuple(
        Array(dtype="float", properties=(non_negative(),)),
        Array(dtype="float", properties=(non_negative(),)),
        names=("d_loss", "g_loss"),
    )
    forbidden_ops = ("binary_cross_entropy",)
    forbidden = (
        "torch.nn.functional.binary_cross_entropy_with_logits",
        "torch.nn.functional.binary_cross_entropy",
        "torch.nn.functional.soft_margin_loss",
        "torch.binary_cross_entropy_with_logits",
        "torch.nn.BCEWithLogitsLoss",
        "torch.nn.BCELoss",
        "torch.nn.SoftMarginLoss",
    )
    samples = (
        Sample(
            name="sample: two real and two fake logits",
            inputs=Inputs(args=(np.array([2.0, 0.5], dtype=F32), np.array([-1.0, 0.0], dtype=F32))),
        ),
        Sample(
            name="sample: a fooled discriminator",
            inputs=Inputs(args=(np.array([1.0], dtype=F32), np.array([3.0, 2.0, -0.5], dtype=F32))),
        ),
    )
    hidden = (
        HiddenCase("one real and one fake logit", partial(_gan, real=(1,), fake=(1,))),
        HiddenCase("different batch sizes", partial(_gan)),
        HiddenCase("(N, 1) logits", partial(_gan, real=(9, 1), fake=(9, 1))),
        HiddenCase(
            "(N, 1, H, W) patch logits", partial(_gan, real=(2, 1, 4, 4), fake=(3, 1, 4, 4))
        ),
        HiddenCase("random shapes", _random_shape),
        HiddenCase("all logits zero: every term is log 2", partial(_gan, scale=0.0)),
        HiddenCase(
            "confident discriminator (real logits high, fake logits low)",
            partial(_gan, scale=1.0, real_shift=12.0, fake_shift=-12.0),
        ),
        HiddenCase("discriminator fooled (fake logits high)", partial(_gan, fake_shift=10.0)),
        HiddenCase("stable for logits of ±30", partial(_extreme, scale=30.0)),
        HiddenCase("stable for logits of ±1e4", partial(_extreme, scale=1e4)),
    )
    performance = PerformanceTest(
        name="fast enough on 2 x 524288 logits",
        make=_performance,
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, d_real_logits: np.ndarray, d_fake_logits: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        real = np.asarray(d_real_logits, dtype=np.float64)
        fake = np.asarray(d_fake_logits, dtype=np.float64)

        def softplus(x: np.ndarray) -> np.ndarray:
            # log(1 + e^x) without overflow: BCE(x, 1) = softplus(-x), BCE(x, 0) = softplus(x).
            return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

        d_loss = softplus(-real).mean() + softplus(fake).mean()
        return np.asarray(d_loss, dtype=F32), np.asarray(softplus(-fake).mean(), dtype=F32)

    def oracle(
        self, d_real_logits: np.ndarray, d_fake_logits: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """F.binary_cross_entropy_with_logits in float64."""
        real = torch.tensor(d_real_logits, dtype=torch.float64)
        fake = torch.tensor(d_fake_logits, dtype=torch.float64)
        bce = F.binary_cross_entropy_with_logits
        d_loss = bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))
        g_loss = bce(fake, torch.ones_like(fake))
        return d_loss.numpy().astype(F32), g_loss.numpy().astype(F32)
