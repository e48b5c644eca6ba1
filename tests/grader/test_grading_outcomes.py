"""How grading judges each sandbox outcome: the mapping to CONTRACT §2 statuses, expected
exceptions and the performance allowance, without running submissions."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from exercises.base import Raises
from exercises.registry import exercise_get
from grader import grading
from grader.grading import allowed_time_ms, expected_for, judge_outcome, reference_time_ms
from grader.sandbox import CallOutcome


def outcome_for(case, **fields) -> CallOutcome:
    return CallOutcome(name=case.name, **fields)


def status_of(judged) -> tuple[str, str]:
    """(status, message) of a judgement."""
    if isinstance(judged, tuple):
        return judged
    return str(judged.status), judged.message


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
    assert status_of(judged) == ("runtime_error", "ZeroDivisionError: division by zero (line 3)")


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
    assert status_of(judged) == (status, "why")


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


def _perf(exercise, framework, values, time_ms, multiplier=1.0):
    case = exercise.cases()[-1]
    return judge_outcome(
        exercise=exercise,
        framework=framework,
        case=case,
        time_multiplier=multiplier,
        outcome=outcome_for(
            case,
            status="ok",
            value=values[0],
            value_kind="ndarray",
            values=tuple(values),
            value_kinds=("ndarray",) * len(values),
            time_ms=time_ms,
        ),
    )


def _expected_runs(exercise, framework="numpy"):
    case = exercise.cases()[-1]
    return [
        expected_for(exercise=exercise, framework=framework, case=case, rep=rep)
        for rep in range(case.repeat)
    ]


def test_performance_repetitions_have_inputs_and_expected_values_of_their_own():
    """Each repetition of the performance test has inputs of its own, and its own expected value,
    computed once per process."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[-1]
    assert case.repeat >= 3
    firsts = [np.asarray(run.args[0]).ravel()[:8] for run in case.runs]
    assert all(not np.array_equal(firsts[0], other) for other in firsts[1:])
    expected = _expected_runs(exercise)
    assert not np.array_equal(expected[0], expected[1])
    assert expected[1] is expected_for(exercise=exercise, framework="numpy", case=case, rep=1)


def test_performance_test_compares_with_the_allowed_multiple_of_the_reference():
    """A correct result slower in total than allowed is too_slow; within the allowance it passes;
    the instructor's multiplier widens the allowance."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[-1]
    expected = _expected_runs(exercise)
    allowed = allowed_time_ms(
        exercise=exercise, framework="numpy", case=case, device="cpu", time_multiplier=1.0
    )
    slow = _perf(exercise, "numpy", expected, allowed * 1.2)
    assert status_of(slow)[0] == "too_slow"
    assert "more than the allowed" in status_of(slow)[1]
    fast = _perf(exercise, "numpy", expected, allowed * 0.5)
    assert fast.passed and fast.message.startswith("total time ")
    assert _perf(exercise, "numpy", expected, allowed * 1.2, multiplier=2.0).passed


def test_allowance_is_the_reference_total_over_the_same_repetitions():
    """The allowance is allowed_slowdown x the model solution's total over the repetitions, plus
    slack and transfer per repetition: never a median of one of them."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[-1]
    perf = case.performance
    reference = reference_time_ms(exercise=exercise, framework="numpy", case=case)
    allowed = allowed_time_ms(
        exercise=exercise, framework="numpy", case=case, device="cpu", time_multiplier=1.0
    )
    slack = perf.slack_ms * case.repeat
    assert allowed > perf.allowed_slowdown * reference + slack
    assert allowed < perf.allowed_slowdown * reference + slack + 40 * case.repeat


def test_wrong_result_on_the_performance_input_is_not_too_slow():
    """A fast but wrong result on the performance input is judged on correctness first."""
    exercise = exercise_get("softmax")
    expected = _expected_runs(exercise)
    judged = _perf(exercise, "numpy", [e * np.float32(1.5) for e in expected], 0.01)
    assert judged.status == "wrong_answer"


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_every_repetition_is_checked(bad):
    """Garbage on any one repetition, the first ones included, is wrong_answer naming it, however
    fast."""
    exercise = exercise_get("softmax")
    values = _expected_runs(exercise)
    values[bad] = np.zeros_like(values[bad])
    judged = _perf(exercise, "numpy", values, 0.01)
    assert judged.status == "wrong_answer"
    assert judged.message.startswith(f"repetition {bad + 1} of 3:")


def test_a_result_cached_from_another_repetition_is_wrong():
    """Returning the first repetition's result again (a cache) fails: the inputs differ."""
    exercise = exercise_get("softmax")
    values = _expected_runs(exercise)
    judged = _perf(exercise, "numpy", [values[0]] * len(values), 0.01)
    assert judged.status == "wrong_answer"
    assert judged.message.startswith("repetition 2 of 3:")


def test_missing_repetitions_are_not_judged_fast():
    """An outcome with fewer values than repetitions is a runtime error, not a pass."""
    exercise = exercise_get("softmax")
    values = _expected_runs(exercise)
    judged = _perf(exercise, "numpy", values[:1], 0.01)
    assert status_of(judged)[0] == "runtime_error"


@pytest.mark.parametrize(
    "value",
    [
        [[1.0], [1.0, 2.0]],
        {"a": object.__new__(object).__class__.__name__},
        np.zeros((0, 2**31), dtype=np.float32),
        "x" * 100_000,
    ],
    ids=["ragged list", "dict", "huge empty shape", "long string"],
)
def test_any_returned_value_gets_a_verdict(value):
    """Whatever plain value comes back, the judge answers with a status, never an exception."""
    exercise = exercise_get("softmax")
    case = exercise.cases()[0]
    judged = judge_outcome(
        exercise=exercise,
        framework="numpy",
        case=case,
        outcome=outcome_for(case, status="ok", value=value, value_kind="python"),
    )
    assert status_of(judged)[0] in ("invalid_output", "wrong_answer")


@pytest.mark.parametrize("framework", ["numpy", "torch"])
def test_references_are_timed_on_one_thread_as_submissions_run(framework):
    """The allowance comes from the reference timed as a child runs: one BLAS thread, one torch
    thread; the worker's own settings come back afterwards."""
    import torch

    def blas_threads() -> list[int]:
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    blas_before, torch_before = blas_threads(), torch.get_num_threads()
    with grading._one_thread(framework):
        assert set(blas_threads()) == {1}
        if framework == "torch":
            assert torch.get_num_threads() == 1
    assert blas_threads() == blas_before
    assert torch.get_num_threads() == torch_before
