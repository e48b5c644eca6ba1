"""Grading: one submission against one exercise, through the sandbox.

The trusted side (this module) builds the calls, computes the expected outputs with the hidden
reference and times the model solution for the performance test; the sandbox only ever sees the
student's source and copies of the inputs. Outcomes come back as plain data and are judged here
with the exercise's checkers. Pure Python: no Django import.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from exercises import checks
from exercises.base import Case, Exercise, Raises, copy_value
from grader.sandbox import Call, CallOutcome, Job, Limits, Sandbox

PASSED = "passed"
NOT_RUN = "not_run"
TOO_SLOW = "too_slow"
FORBIDDEN_API = "forbidden_api"
RUNTIME_ERROR = "runtime_error"
COMPILE_ERROR = "compile_error"
ACCEPTED = "accepted"
# Sandbox outcome statuses that are already CONTRACT §2 test statuses.
PASS_THROUGH = frozenset(
    {
        "runtime_error",
        "time_limit_exceeded",
        "memory_limit_exceeded",
        "output_limit_exceeded",
        "invalid_output",
        "not_run",
    }
)
REFERENCE_TIMING_RUNS = 5
# Host memory a child's CUDA context takes (driver, runtime, kernels), on top of the exercise's.
CUDA_HOST_MEMORY_MB = 2048


@dataclass
class TestResult:
    name: str
    hidden: bool
    status: str
    score: float
    max_score: float
    time_ms: float | None
    message: str


@dataclass
class GradeResult:
    verdict: str  # "accepted" | status of the first test that did not pass | "compile_error"
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    compile_message: str = ""
    stdout: str = ""
    stderr: str = ""


# --- expected values and reference times (trusted side, cached per process) -----------------


@functools.lru_cache(maxsize=2048)
def _expected(exercise: Exercise, case_name: str) -> Any:
    # The reference runs on the CPU in float64 whatever the framework and grading device, so
    # one value serves every submission of the case.
    return exercise.expected(exercise.case_get(name=case_name).inputs)


def expected_for(*, exercise: Exercise, framework: str, case: Case, device: str = "cpu") -> Any:
    """The reference's answer for a case (or Raises), computed once per process and case."""
    return _expected(exercise, case.name)


@contextlib.contextmanager
def _single_torch_thread() -> Iterator[None]:
    # Submissions run with one torch thread in the sandbox; timing the reference with more
    # would make the allowance depend on the worker's core count.
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _to_framework(value: Any, *, framework: str, device: str) -> Any:
    if framework == "torch" and isinstance(value, np.ndarray):
        import torch

        return torch.from_numpy(np.array(value, copy=True)).to(device)
    if isinstance(value, tuple):
        return tuple(_to_framework(item, framework=framework, device=device) for item in value)
    if isinstance(value, list):
        return [_to_framework(item, framework=framework, device=device) for item in value]
    if isinstance(value, dict):
        return {k: _to_framework(v, framework=framework, device=device) for k, v in value.items()}
    return copy_value(value)


@functools.lru_cache(maxsize=64)
def _reference_time_ms(exercise: Exercise, framework: str, case_name: str, device: str) -> float:
    case = exercise.case_get(name=case_name)
    solution = exercise.solution(framework=framework)
    args = _to_framework(tuple(case.inputs.args), framework=framework, device=device)
    kwargs = _to_framework(dict(case.inputs.kwargs), framework=framework, device=device)
    cuda = framework == "torch" and device.startswith("cuda")

    def run_once() -> float:
        if cuda:
            import torch

            torch.cuda.synchronize(device)
        start = time.perf_counter()
        solution(*args, **kwargs)
        if cuda:
            torch.cuda.synchronize(device)
        return (time.perf_counter() - start) * 1000.0

    guard = (
        _single_torch_thread() if framework == "torch" and not cuda else contextlib.nullcontext()
    )
    with guard:
        run_once()  # warm-up: first-call allocations and kernel selection
        times = [run_once() for _ in range(REFERENCE_TIMING_RUNS)]
    return statistics.median(times)


def reference_time_ms(
    *, exercise: Exercise, framework: str, case: Case, device: str = "cpu"
) -> float:
    """Median time of the model solution on the performance input, in the same framework and on
    the same device as the submission; measured once per process."""
    return _reference_time_ms(exercise, framework, case.name, device)


def reference_times_calibrate(
    *, exercises: list[Exercise], device: str = "cpu"
) -> dict[str, float]:
    """Time every performance reference now (a worker calls this at start-up), keyed
    "slug/framework". Only torch runs on `device`; the other frameworks are timed on the CPU,
    where their submissions run."""
    times: dict[str, float] = {}
    for exercise in exercises:
        perf = [case for case in exercise.cases() if case.performance is not None]
        for framework in exercise.frameworks:
            for case in perf:
                times[f"{exercise.slug}/{framework}"] = reference_time_ms(
                    exercise=exercise,
                    framework=framework,
                    case=case,
                    device=device if framework == "torch" else "cpu",
                )
    return times


def allowed_time_ms(
    *, exercise: Exercise, framework: str, case: Case, device: str, time_multiplier: float
) -> float:
    perf = case.performance
    assert perf is not None
    reference = reference_time_ms(exercise=exercise, framework=framework, case=case, device=device)
    return (perf.allowed_slowdown * reference + perf.slack_ms) * time_multiplier


# --- the job ----------------------------------------------------------------------------------


def _limits(
    *,
    exercise: Exercise,
    framework: str,
    cases: tuple[Case, ...],
    device: str,
    time_multiplier: float,
) -> Limits:
    per_call = exercise.limits.time_per_call_s * time_multiplier
    total = exercise.limits.time_total_s * time_multiplier
    for case in cases:
        if case.performance is None:
            continue
        allowed_s = (
            allowed_time_ms(
                exercise=exercise,
                framework=framework,
                case=case,
                device=device,
                time_multiplier=time_multiplier,
            )
            / 1000.0
        )
        # The sandbox gives a repeated call per_call x repeat. Leave room for every repetition
        # at the allowed speed, so a slow but finishing submission gets the more telling
        # too_slow rather than a time limit.
        per_call = max(per_call, allowed_s * 1.5)
        total += case.repeat * allowed_s * 1.5
    memory = exercise.limits.memory_mb
    if device.startswith("cuda") and framework == "torch":
        memory += CUDA_HOST_MEMORY_MB
    return Limits(time_per_call_s=per_call, time_total_s=total, memory_mb=memory)


def _job(
    *,
    exercise: Exercise,
    framework: str,
    source: str,
    cases: tuple[Case, ...],
    limits: Limits,
    device: str,
) -> Job:
    calls = tuple(
        Call(
            name=case.name,
            args=tuple(case.inputs.args),
            kwargs=dict(case.inputs.kwargs),
            repeat=case.repeat,
        )
        for case in cases
    )
    return Job(
        source=source,
        entry_point=exercise.entry_point,
        framework=framework,
        calls=calls,
        limits=limits,
        forbidden=tuple(exercise.forbidden),
        device=device if framework == "torch" else "cpu",
    )


# --- judging ----------------------------------------------------------------------------------


def _format_ms(value: float) -> str:
    return f"{value:.3g} ms" if value < 100 else f"{value:.0f} ms"


def judge_outcome(
    *,
    exercise: Exercise,
    framework: str,
    case: Case,
    outcome: CallOutcome,
    device: str = "cpu",
    time_multiplier: float = 1.0,
) -> checks.CheckResult | tuple[str, str]:
    """The check for one call: a CheckResult, or (status, message) for sandbox statuses."""
    expected = expected_for(exercise=exercise, framework=framework, case=case, device=device)
    if outcome.status == "ok":
        if isinstance(expected, Raises):
            result = checks.check_raises(
                expected=expected.exception, raised=None, got=outcome.value
            )
        else:
            result = exercise.check(
                case=case,
                framework=framework,
                got=outcome.value,
                value_kind=outcome.value_kind,
                expected=expected,
            )
        if result.passed and case.performance is not None:
            return _judge_speed(
                exercise=exercise,
                framework=framework,
                case=case,
                outcome=outcome,
                device=device,
                time_multiplier=time_multiplier,
            )
        return result
    if outcome.status == "raised":
        judged = exercise.check_raised(
            case=case, exception=outcome.exception, message=outcome.message, expected=expected
        )
        if judged is not None:
            return judged
        return (RUNTIME_ERROR, outcome.message)
    if outcome.status in PASS_THROUGH or outcome.status == FORBIDDEN_API:
        return (outcome.status, outcome.message)
    # An outcome status outside the agreed vocabulary is treated as a crash of the submission.
    return (RUNTIME_ERROR, outcome.message or f"unexpected outcome {outcome.status!r}")


def _judge_speed(
    *,
    exercise: Exercise,
    framework: str,
    case: Case,
    outcome: CallOutcome,
    device: str,
    time_multiplier: float,
) -> checks.CheckResult | tuple[str, str]:
    allowed = allowed_time_ms(
        exercise=exercise,
        framework=framework,
        case=case,
        device=device,
        time_multiplier=time_multiplier,
    )
    taken = outcome.time_ms
    if taken is None:
        return (RUNTIME_ERROR, "no time was measured for this call")
    if taken > allowed:
        return (
            TOO_SLOW,
            f"correct, but the median time {_format_ms(taken)} exceeds the allowed "
            f"{_format_ms(allowed)}; vectorise instead of looping in Python",
        )
    return checks.passed(f"median time {_format_ms(taken)} (allowed {_format_ms(allowed)})")


def grade(
    *,
    exercise: Exercise,
    framework: str,
    source: str,
    sandbox: Sandbox,
    time_multiplier: float = 1.0,
    device: str = "cpu",
    samples_only: bool = False,
) -> GradeResult:
    """Run the submission on the exercise's tests (only the visible samples when samples_only)
    and judge every call. Never raises for anything the student's code does."""
    if framework not in exercise.frameworks:
        raise ValueError(f"{exercise.slug} has no framework {framework!r}")
    cases = exercise.cases(samples_only=samples_only)
    limits = _limits(
        exercise=exercise,
        framework=framework,
        cases=cases,
        device=device,
        time_multiplier=time_multiplier,
    )
    job = _job(
        exercise=exercise,
        framework=framework,
        source=source,
        cases=cases,
        limits=limits,
        device=device,
    )
    job_result = sandbox.run(job)

    total_weight = sum(case.weight for case in cases) or 1.0
    max_scores = [round(exercise.max_score * case.weight / total_weight, 4) for case in cases]

    def uniform(status: str, message: str) -> list[TestResult]:
        return [
            TestResult(
                name=case.name,
                hidden=case.hidden,
                status=status,
                score=0.0,
                max_score=max_score,
                time_ms=None,
                message=message,
            )
            for case, max_score in zip(cases, max_scores, strict=True)
        ]

    common = {
        "max_score": exercise.max_score,
        "stdout": job_result.stdout,
        "stderr": job_result.stderr,
    }
    if job_result.compile_error is not None:
        return GradeResult(
            verdict=COMPILE_ERROR,
            score=0.0,
            tests=uniform(NOT_RUN, ""),
            compile_message=job_result.compile_error,
            **common,
        )
    if job_result.forbidden_api:
        return GradeResult(
            verdict=FORBIDDEN_API,
            score=0.0,
            tests=uniform(FORBIDDEN_API, job_result.forbidden_api),
            **common,
        )

    outcomes = list(job_result.outcomes)
    forbidden = next((o for o in outcomes if o.status == FORBIDDEN_API), None)
    if forbidden is not None:
        # Using a forbidden API anywhere voids the whole submission, as the static check does.
        return GradeResult(
            verdict=FORBIDDEN_API,
            score=0.0,
            tests=uniform(FORBIDDEN_API, forbidden.message),
            **common,
        )

    tests: list[TestResult] = []
    earned = 0.0
    for index, (case, max_score) in enumerate(zip(cases, max_scores, strict=True)):
        outcome = outcomes[index] if index < len(outcomes) else None
        if outcome is None:
            status, fraction, message, time_ms = NOT_RUN, 0.0, "", None
        else:
            judged = judge_outcome(
                exercise=exercise,
                framework=framework,
                case=case,
                outcome=outcome,
                device=device,
                time_multiplier=time_multiplier,
            )
            if isinstance(judged, checks.CheckResult):
                status, fraction, message = judged.status, judged.score, judged.message
            else:
                (status, message), fraction = judged, 0.0
            time_ms = outcome.time_ms
        earned += case.weight * fraction
        tests.append(
            TestResult(
                name=case.name,
                hidden=case.hidden,
                status=status,
                score=round(max_score * fraction, 4),
                max_score=max_score,
                time_ms=time_ms,
                message=message,
            )
        )
    failed = next((test for test in tests if test.status != PASSED), None)
    return GradeResult(
        verdict=ACCEPTED if failed is None else failed.status,
        score=round(exercise.max_score * earned / total_weight, 4),
        tests=tests,
        **common,
    )
