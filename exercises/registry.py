"""All exercises, by slug. The Django side syncs them into the database from exercise_list()."""

from __future__ import annotations

import functools

from exercises.attention import Attention
from exercises.base import Exercise
from exercises.conv_output_size import ConvOutputSize
from exercises.lstm_step import LstmStep
from exercises.mlp_backprop import MlpBackprop
from exercises.softmax import Softmax

EXERCISE_CLASSES: tuple[type[Exercise], ...] = (
    Softmax,
    Attention,
    ConvOutputSize,
    MlpBackprop,
    LstmStep,
)


class ExerciseNotFound(KeyError):
    pass


@functools.cache
def _exercises() -> dict[str, Exercise]:
    # One instance per process: case generation and the solutions' loading are cached on it.
    return {cls.slug: cls() for cls in EXERCISE_CLASSES}


def exercise_list() -> list[Exercise]:
    return list(_exercises().values())


def exercise_get(slug: str) -> Exercise:
    try:
        return _exercises()[slug]
    except KeyError:
        raise ExerciseNotFound(slug) from None
