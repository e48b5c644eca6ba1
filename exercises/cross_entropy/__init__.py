"""cross_entropy(logits, target, label_smoothing=0.0): mean softmax cross-entropy from logits.

The worked example of a loss exercise: one generator builds every case, the hidden cases name
what they probe, the reference is float64 NumPy and the oracle is PyTorch's own routine.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, I64, labels, large_logits, normal, sizes
from exercises.specs import Array, non_negative


def _case(
    rng: np.random.Generator,
    n: int,
    c: int,
    smoothing: float | None = None,
    logits: np.ndarray | None = None,
) -> Inputs:
    x = normal(rng, (n, c), scale=3.0) if logits is None else logits
    kwargs = {} if smoothing is None else {"label_smoothing": smoothing}
    return Inputs(args=(x, labels(rng, n, c)), kwargs=kwargs)


def _n_c(rng: np.random.Generator, high: int) -> tuple[int, int]:
    """Random (N, C), each in [2, high]."""
    n, c = sizes(rng, 2, 2, high)
    return n, c


def _large(rng: np.random.Generator, smoothing: float | None = None) -> Inputs:
    inputs = _case(rng, 16, 10, smoothing, logits=large_logits(rng, (16, 10)))
    # Half the targets sit on the near-tied top logits (column 0, see gen.large_logits), half
    # anywhere: log p_y is then both near 0 and far below it (a softmax probability of 0).
    inputs.args[1][::2] = 0
    return inputs


def _masked(rng: np.random.Generator) -> Inputs:
    """-inf logits (masked classes) everywhere but at the target."""
    x, y = _case(rng, 12, 8).args
    x[rng.random(x.shape) < 0.4] = -np.inf
    x[np.arange(12), y] = normal(rng, (12,))
    return Inputs(args=(x, y))


def _sample(logits: list[list[float]], target: list[int], **kwargs: float) -> Inputs:
    return Inputs(args=(np.array(logits, dtype=F32), np.array(target, dtype=I64)), kwargs=kwargs)


class CrossEntropy(Exercise):
    slug = "cross-entropy"
    title_en = "Cross-entropy loss from logits"
    title_zh = "从 logits 计算交叉熵损失"
    entry_point = "cross_entropy"
    topic = "losses"
    cards = ("简述交叉熵损失", "为什么用交叉熵")
    difficulty = "easy"
    position = 10
    rtol = 1e-4
    atol = 1e-5
    # A scalar loss in float64 is harmless; a negative one is never right.
    output = Array(dtype="float", properties=(non_negative(),))
    forbidden_ops = ("cross_entropy",)
    forbidden = (
        "torch.nn.functional.cross_entropy",
        "torch.nn.CrossEntropyLoss",
        "torch.nn.functional.nll_loss",
        "torch.nn.NLLLoss",
        "torch.log_softmax",
        "torch.special.log_softmax",
        "torch.Tensor.log_softmax",
        "torch.nn.functional.log_softmax",
        "torch.nn.LogSoftmax",
        "scipy.special.log_softmax",
    )
    samples = (
        Sample("sample: two examples", _sample([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]], [0, 1])),
        Sample(
            "sample: label_smoothing=0.1",
            _sample([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], [0, 1], label_smoothing=0.1),
        ),
        Sample("sample: a masked class (-inf)", _sample([[0.0, -np.inf, 1.0]], [2])),
    )
    hidden = (
        HiddenCase("random sizes", lambda rng: _case(rng, *_n_c(rng, 40))),
        HiddenCase("a single example (N = 1)", lambda rng: _case(rng, 1, 7)),
        HiddenCase("two classes (C = 2)", lambda rng: _case(rng, 16, 2)),
        HiddenCase("many classes (C = 1000)", lambda rng: _case(rng, 8, 1000)),
        HiddenCase("label_smoothing=0.1", lambda rng: _case(rng, *_n_c(rng, 20), 0.1)),
        HiddenCase("label_smoothing=0.3, C = 2", lambda rng: _case(rng, 9, 2, 0.3)),
        HiddenCase("label_smoothing=1.0: a uniform target", lambda rng: _case(rng, 5, 6, 1.0)),
        HiddenCase("stable for logits up to ±1e4", _large),
        HiddenCase("±1e4 with label_smoothing=0.2", lambda rng: _large(rng, 0.2)),
        HiddenCase("-inf logits away from the target", _masked),
    )
    performance = PerformanceTest(
        name="fast enough for N=65536, C=32",
        make=lambda rng: _case(rng, 65536, 32, 0.1),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self, logits: np.ndarray, target: np.ndarray, label_smoothing: float = 0.0
    ) -> np.ndarray:
        z = np.asarray(logits, dtype=np.float64)
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(target)), target]
        if label_smoothing:  # never touch -inf log-probabilities when ε = 0 (0 · -inf = NaN)
            loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(axis=1)
        return np.asarray(loss.mean(), dtype=F32)

    def oracle(
        self, logits: np.ndarray, target: np.ndarray, label_smoothing: float = 0.0
    ) -> np.ndarray:
        loss = F.cross_entropy(
            torch.tensor(logits, dtype=torch.float64),
            torch.tensor(target),
            label_smoothing=label_smoothing,
        )
        return loss.numpy().astype(F32)
