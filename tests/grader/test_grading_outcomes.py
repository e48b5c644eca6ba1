"""How grading judges each sandbox outcome: the mapping to CONTRACT §2 statuses, expected
exceptions and the performance allowance, without running submissions."""

from __future__ import annotations

import numpy as np
import pytest

from exercises.base import Raises
from exercises.registry import exercise_get
from grader.grading import allowed_time_ms, expected_for, judge_outcome
from grader.sandbox import CallOutcome


def outcome_for(case, **fields) -> CallOutcome:
    return CallOutcome(name=case.name, **fields)


def test_expected_values_are_cached_per_case():
    """The reference runs once per case: a second lookup returns the very same object."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[3]
    first = expected_for(exercise=exercise, framework="torch", case=case)
    assert first is expected_for(exercise=exercise, framework="torch", case=case)
    assert first.dtype == np.float32


def test_expected_exception_raised_passes():
    """A ValueError where the reference raises ValueError passes."""
    exercise = exercise_get("conv-output-size")
    case = next(c for c in exercise.cases() if c.name == "zero stride raises ValueError")
    assert isinstance(expected_for(exercise=exercise, framework="python", case=case), Raises)
    judged = judge_outcome(
        exercise=exercise,
        framework="python",
        case=case,
        outcome=outcome_for(
            case,
            status="raised",
            exception="ValueError,Exception,BaseException",
            message="ValueError: bad stride",
            time_ms=0.1,
        ),
    )
    assert judged.passed


def test_unexpected_exception_is_runtime_error_with_the_sandbox_message():
    """An exception where a value is expected becomes runtime_error carrying the message."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[0]
    judged = judge_outcome(
        exercise=exercise,
        framework="numpy",
        case=case,
        outcome=outcome_for(
            case,
            status="raised",
            exception="ZeroDivisionError,ArithmeticError",
            message="ZeroDivisionError: division by zero (line 3)",
        ),
    )
    assert judged == ("runtime_error", "ZeroDivisionError: division by zero (line 3)")


@pytest.mark.parametrize(
    "status",
    [
        "time_limit_exceeded",
        "memory_limit_exceeded",
        "output_limit_exceeded",
        "invalid_output",
        "runtime_error",
        "not_run",
    ],
)
def test_sandbox_statuses_pass_through(status):
    """Limit and crash statuses from the sandbox are test statuses as they are."""
    exercise = exercise_get("lstm-step")
    case = exercise.cases()[0]
    judged = judge_outcome(
        exercise=exercise,
        framework="torch",
        case=case,
        outcome=outcome_for(case, status=status, message="why"),
    )
    assert judged == (status, "why")


def test_returned_value_under_torch_must_be_a_tensor():
    """An ndarray returned under torch is invalid_output, even with the right numbers."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[0]
    expected = expected_for(exercise=exercise, framework="torch", case=case)
    judged = judge_outcome(
        exercise=exercise,
        framework="torch",
        case=case,
        outcome=outcome_for(case, status="ok", value=expected.copy(), value_kind="ndarray"),
    )
    assert judged.status == "invalid_output"
    right = judge_outcome(
        exercise=exercise,
        framework="torch",
        case=case,
        outcome=outcome_for(case, status="ok", value=expected.copy(), value_kind="tensor"),
    )
    assert right.passed


def _perf(exercise, framework, expected, time_ms, multiplier=1.0):
    case = exercise.cases()[-1]
    return judge_outcome(
        exercise=exercise,
        framework=framework,
        case=case,
        time_multiplier=multiplier,
        outcome=outcome_for(
            case, status="ok", value=expected, value_kind="ndarray", time_ms=time_ms
        ),
    )


def test_performance_test_compares_with_the_allowed_multiple_of_the_reference():
    """A correct result slower than allowed is too_slow; within the allowance it passes; the
    instructor's multiplier widens the allowance."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[-1]
    expected = expected_for(exercise=exercise, framework="numpy", case=case)
    allowed = allowed_time_ms(
        exercise=exercise, framework="numpy", case=case, device="cpu", time_multiplier=1.0
    )
    slow = _perf(exercise, "numpy", expected, allowed * 1.2)
    assert slow[0] == "too_slow"
    assert "exceeds the allowed" in slow[1]
    fast = _perf(exercise, "numpy", expected, allowed * 0.5)
    assert fast.passed and fast.message.startswith("median time ")
    assert _perf(exercise, "numpy", expected, allowed * 1.2, multiplier=2.0).passed


def test_wrong_result_on_the_performance_input_is_not_too_slow():
    """A fast but wrong result on the performance input is judged on correctness first."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[-1]
    expected = expected_for(exercise=exercise, framework="numpy", case=case)
    judged = _perf(exercise, "numpy", expected * np.float32(1.5), 0.01)
    assert judged.status == "wrong_answer"
