"""mlm_mask(tokens, special, draw, replace_with, mask_id, mask_prob=0.15): BERT's MLM masking."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict, Unpack

import numpy as np

from exercises.base import Exercise, HiddenCase, Inputs, PerformanceTest, Sample
from exercises.gen import F32, I64, sizes
from exercises.specs import Array, Tuple

MASK_ID = 103
SAMPLE = (
    np.array([[101, 7592, 2088, 2003, 2307, 102]], dtype=I64),
    np.array([[True, False, False, False, False, True]]),
    np.array([[[0.05, 0.1], [0.1, 0.5], [0.7, 0.0], [0.12, 0.85], [0.01, 0.95], [0.3, 0.2]]], F32),
    np.array([[11, 12, 13, 14, 15, 16]], dtype=I64),
)


def _draws(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    # Multiples of 2^-24: exact in float32 and never 1.0 (a rounded float64 draw can be).
    return (rng.integers(0, 2**24, size=shape) / 2**24).astype(F32)


class _BatchOptions(TypedDict, total=False):
    """_batch's knobs beyond the sizes."""

    vocab: int
    p_special: float
    prob: float | None
    exact: tuple[float, ...] | None
    lengths: bool


def _batch(
    rng: np.random.Generator,
    n: int,
    length: int,
    *,
    vocab: int = 30000,
    p_special: float = 0.1,
    prob: float | None = None,
    exact: tuple[float, ...] | None = None,
    lengths: bool = False,
) -> Inputs:
    tokens = rng.integers(1000, vocab, size=(n, length)).astype(I64)
    special = rng.random((n, length)) < p_special
    special[:, [0, -1]] = True  # [CLS] ... [SEP]
    if lengths:  # padding after each row's own length counts as special
        special |= np.arange(length) >= rng.integers(1, length + 1, size=(n, 1))
    draw = _draws(rng, (n, length, 2))
    if exact is not None:  # some draws sit exactly on float32 thresholds
        at = rng.random((n, length, 2)) < 0.5
        draw[at] = rng.choice(np.asarray(exact, dtype=F32), size=int(at.sum()))
    replace_with = rng.integers(1000, vocab, size=(n, length)).astype(I64)
    kwargs = {} if prob is None else {"mask_prob": prob}
    return Inputs(args=(tokens, special, draw, replace_with, MASK_ID), kwargs=kwargs)


def _case(
    n: int, length: int, **options: Unpack[_BatchOptions]
) -> Callable[[np.random.Generator], Inputs]:
    return lambda rng: _batch(rng, n, length, **options)


def _random(rng: np.random.Generator) -> Inputs:
    n, length = sizes(rng, 2, low=2, high=40)
    return _batch(rng, n, length, prob=float(rng.uniform(0.1, 0.6)))


def _all_special(rng: np.random.Generator) -> Inputs:
    return _batch(rng, 3, 8, p_special=1.0, prob=0.9)


def _one_token(rng: np.random.Generator) -> Inputs:
    inputs = _batch(rng, 1, 1, prob=1.0)
    special = np.zeros((1, 1), dtype=bool)
    return Inputs(args=(inputs.args[0], special, *inputs.args[2:]), kwargs=inputs.kwargs)


class MlmMasking(Exercise):
    slug = "mlm-masking"
    title_en = "BERT masked-language-model masking"
    title_zh = "BERT 掩码语言模型（MLM）的掩码"
    entry_point = "mlm_mask"
    topic = "pretrained-models"
    cards = ("简述掩码语言模型(MLM)", "简述masking input")
    difficulty = "easy"
    position = 36
    output = Tuple(Array(), Array(), names=("input_ids", "labels"))
    forbidden = ("transformers", "transformers.DataCollatorForLanguageModeling")
    samples = (
        Sample("sample: one sentence, every branch", Inputs(args=(*SAMPLE, MASK_ID))),
        Sample(
            "sample: two sentences with padding",
            _case(2, 10, lengths=True)(np.random.default_rng(3)),
        ),
    )
    hidden = (
        HiddenCase("random sizes and mask_prob", _random),
        HiddenCase("default mask_prob on a batch of 16", _case(16, 64)),
        HiddenCase("padded rows: padding is special", _case(8, 32, lengths=True, prob=0.4)),
        HiddenCase("mask_prob = 0 chooses nothing", _case(4, 20, prob=0.0)),
        HiddenCase("mask_prob = 1 chooses every ordinary token", _case(4, 20, prob=1.0)),
        HiddenCase("every position special", _all_special),
        HiddenCase("one ordinary token", _one_token),
        HiddenCase("token ids beyond int32", _case(4, 16, vocab=2**40, prob=0.5)),
        HiddenCase(
            "draws exactly at 0.15, 0.8 and 0.9 in float32",
            _case(6, 30, exact=(0.15, 0.8, 0.9, 0.149999991, 0.0)),
        ),
        HiddenCase(
            "mask_prob = 0.35 with draws exactly at float32(0.35)",
            _case(6, 30, prob=0.35, exact=(0.35, 0.9, 0.5)),
        ),
    )
    performance = PerformanceTest(
        name="fast enough on a (256, 2048) batch",
        make=_case(256, 2048),
        repeat=3,
        allowed_slowdown=20.0,
    )

    def reference(
        self,
        tokens: np.ndarray,
        special: np.ndarray,
        draw: np.ndarray,
        replace_with: np.ndarray,
        mask_id: int,
        mask_prob: float = 0.15,
    ) -> tuple[np.ndarray, np.ndarray]:
        draw = np.asarray(draw, dtype=F32)
        chosen = ~np.asarray(special) & (draw[..., 0] < F32(mask_prob))
        masked = chosen & (draw[..., 1] < F32(0.8))
        replaced = chosen & ~masked & (draw[..., 1] < F32(0.9))
        input_ids = np.where(masked, mask_id, np.where(replaced, replace_with, tokens))
        labels = np.where(chosen, tokens, -100)
        return input_ids.astype(I64), labels.astype(I64)

    def oracle(
        self,
        tokens: np.ndarray,
        special: np.ndarray,
        draw: np.ndarray,
        replace_with: np.ndarray,
        mask_id: int,
        mask_prob: float = 0.15,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Position by position in plain Python, each comparison between two float32 scalars."""
        input_ids, labels = np.array(tokens, dtype=I64), np.full(tokens.shape, -100, dtype=I64)
        for n, row in enumerate(tokens):
            for i, token in enumerate(row):
                if special[n, i] or not F32(draw[n, i, 0]) < F32(mask_prob):
                    continue
                labels[n, i] = token
                if F32(draw[n, i, 1]) < F32(0.8):
                    input_ids[n, i] = mask_id
                elif F32(draw[n, i, 1]) < F32(0.9):
                    input_ids[n, i] = replace_with[n, i]
        return input_ids, labels
