"""Properties of exercise inputs that judging relies on."""

from __future__ import annotations

import numpy as np

from exercises.registry import exercise_get


def test_mlp_backprop_pre_activations_stay_off_the_relu_kink():
    """No hidden or performance input of mlp-backprop puts a hidden unit's pre-activation within
    1e-3 of 0, where the ReLU's gradient is ambiguous and float32 and float64 could disagree."""
    exercise = exercise_get("mlp-backprop")
    checked = 0
    for case in exercise.cases():
        if not case.hidden:
            continue
        for inputs in case.runs:
            x, _, w1, b1, _, _ = (np.asarray(a, dtype=np.float64) for a in inputs.args)
            pre = x @ w1 + b1
            assert np.abs(pre).min() >= 1e-3, (case.name, np.abs(pre).min())
            checked += 1
    assert checked >= 10
