"""Grading: one submission against one exercise, through the sandbox.

The trusted side (this module) builds the calls, computes the expected outputs with the hidden
reference and times the model solution for the performance test; the sandbox only ever sees the
student's source and copies of the inputs. Outcomes come back as plain data and are judged here
with the exercise's checkers: every repetition of a performance test on its own inputs against its
own expected value, and its time (the sandbox's measurement, summed over the repetitions) against
the model solution's over the same inputs. Everything stored from a grade is bounded here: no
message, output or compile message longer than its cap.

Each test's message comes as English text and as a code of grader.messages with its parameters
(`detail`), for the pages to show in the reader's language. A visible test that failed on a
returned array also carries both arrays and where they differ (`arrays`, grader.values); a hidden
test never does. Each test carries the Python warnings its call raised (`warnings`, the student's
code's own text, capped). Pure Python: no Django import.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
from threadpoolctl import threadpool_limits

from exercises import checks
from exercises.base import Case, Exercise, Raises, copy_value, freeze_value
from exercises.mistakes import Failure, diagnose
from grader import values as array_values
from grader.messages import (
    Message,
    MessageData,
    message,
    message_load,
    message_parse,
    text_message,
)
from grader.sandbox import Call, CallOutcome, Job, Limits, Sandbox
from grader.status import SANDBOX_STATUSES, Outcome, TestStatus, Verdict
from grader.values import ArrayView

log = logging.getLogger(__name__)

PASSED = TestStatus.PASSED
NOT_RUN = TestStatus.NOT_RUN
TOO_SLOW = TestStatus.TOO_SLOW
FORBIDDEN_API = TestStatus.FORBIDDEN_API
RUNTIME_ERROR = TestStatus.RUNTIME_ERROR
INVALID_OUTPUT = TestStatus.INVALID_OUTPUT
COMPILE_ERROR = Verdict.COMPILE_ERROR
ACCEPTED = Verdict.ACCEPTED
# Sandbox outcome statuses that are already CONTRACT §2 test statuses.
PASS_THROUGH = SANDBOX_STATUSES
# Statuses of a returned value that a shipped mistake may explain.
DIAGNOSABLE = frozenset({TestStatus.WRONG_ANSWER, TestStatus.INVALID_OUTPUT})
REFERENCE_TIMING_RUNS = 5
# The sandbox's time includes moving each repetition's inputs in and its result out (copies and
# pipes, not paid by the reference): this much per MB moved is allowed on top, a rate that a
# loaded worker keeps with margin.
TRANSFER_MS_PER_MB = 4.0
# Caps on what a grade stores: a test's message (a checker may quote what was returned), the
# compile message and each output stream.
MESSAGE_CHARS = 2000
OUTPUT_CHARS = 64 * 1024
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
    # The message as a code of grader.messages and its parameters (None when there is none).
    detail: MessageData | None = None
    # Python warnings the call raised (text of the student's code, capped by the sandbox).
    warnings: list[str] = field(default_factory=list)
    # A failing visible test's arrays beside the expected ones (grader.values); never a hidden
    # test's.
    arrays: list[ArrayView] = field(default_factory=list)


class Diagnosis(TypedDict):
    """A known mistake the failing outputs match: its name and a one-line text per language."""

    mistake: str
    en: str
    zh: str


class _Common(TypedDict):
    max_score: float
    stdout: str
    stderr: str


@dataclass
class GradeResult:
    verdict: str  # "accepted" | status of the first test that did not pass | "compile_error"
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    compile_message: str = ""
    stdout: str = ""
    stderr: str = ""
    diagnosis: Diagnosis | None = None
    compile_detail: MessageData | None = None
    # Seconds of this grade on the trusted side: "run" (the sandbox's job, from starting the
    # child to the last result, the tests' own compute included) and "compare" (judging).
    timings: dict[str, float] = field(default_factory=dict)


# --- expected values and reference times (trusted side, cached per process) -----------------


@functools.lru_cache(maxsize=4096)
def _expected(exercise: Exercise, case_name: str, rep: int) -> Any:
    # The reference runs on the CPU in float64 whatever the framework and grading device, so
    # one value serves every submission of the case's repetition.
    # Read-only: shared by every grade, and the checkers keep their bounds for read-only values.
    return freeze_value(exercise.expected(exercise.case_get(name=case_name).runs[rep]))


def expected_for(
    *, exercise: Exercise, framework: str, case: Case, device: str = "cpu", rep: int = 0
) -> Any:
    """The reference's answer for a case's repetition (or Raises), computed once per process."""
    return _expected(exercise, case.name, rep)


@contextlib.contextmanager
def _one_thread(framework: str) -> Iterator[None]:
    # Submissions run on one thread in the sandbox (one BLAS thread, one torch thread): timing
    # the reference with more would make the allowance depend on the worker's core count, and
    # BLAS threads spinning beside another worker's grade slow both many times over.
    with threadpool_limits(limits=1, user_api="blas"):
        if framework != "torch":
            yield
            return
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
    cuda = framework == "torch" and device.startswith("cuda")

    def inputs() -> list[tuple[Any, Any]]:
        return [
            (
                _to_framework(tuple(run.args), framework=framework, device=device),
                _to_framework(dict(run.kwargs), framework=framework, device=device),
            )
            for run in case.runs
        ]

    def run_all() -> float:
        """Every repetition on its own inputs, timed and summed as the sandbox times them."""
        total = 0.0
        for args, kwargs in inputs():
            if cuda:
                import torch

                torch.cuda.synchronize(device)
            start = time.perf_counter()
            solution(*args, **kwargs)
            if cuda:
                torch.cuda.synchronize(device)
            total += (time.perf_counter() - start) * 1000.0
        return total

    with contextlib.nullcontext() if cuda else _one_thread(framework):
        run_all()  # warm-up: first-call allocations and kernel selection
        times = [run_all() for _ in range(REFERENCE_TIMING_RUNS)]
    return statistics.median(times)


def reference_time_ms(
    *, exercise: Exercise, framework: str, case: Case, device: str = "cpu"
) -> float:
    """The model solution's total time over the performance test's repetitions (each on its own
    inputs), in the same framework and on the same device as the submission; the median of a
    few rounds, measured once per process."""
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
    """The most the submission's repetitions may take together: allowed_slowdown x the model
    solution's total, plus, per repetition, slack_ms (the round trip through the sandbox) and the
    moving of its inputs and result; scaled by the instructor's multiplier."""
    perf = case.performance
    assert perf is not None
    reference = reference_time_ms(exercise=exercise, framework=framework, case=case, device=device)
    transfer = TRANSFER_MS_PER_MB * _moved_mb(exercise, case.name)
    return (
        perf.allowed_slowdown * reference + perf.slack_ms * case.repeat + transfer
    ) * time_multiplier


@functools.lru_cache(maxsize=256)
def _moved_mb(exercise: Exercise, case_name: str) -> float:
    """MB of array data a case's repetitions move through the sandbox: inputs in, results out
    (the expected value's size)."""
    case = exercise.case_get(name=case_name)
    total = 0
    for rep, run in enumerate(case.runs):
        total += _nbytes((run.args, dict(run.kwargs))) + _nbytes(
            _expected(exercise, case_name, rep)
        )
    return total / (1 << 20)


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple | list):
        return sum(_nbytes(item) for item in value)
    if isinstance(value, dict):
        return sum(_nbytes(item) for item in value.values())
    return 0


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
        # The sandbox gives a repeated call per_call x repeat. Leave room for all repetitions
        # at the allowed speed, so a slow but finishing submission gets the more telling
        # too_slow rather than a time limit.
        per_call = max(per_call, allowed_s * 1.5 / case.repeat)
        total += allowed_s * 1.5
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
    # Cases come samples first: a visible sample runs before any hidden input is sent.
    calls = tuple(
        Call(
            name=case.name,
            args=tuple(case.inputs.args),
            kwargs=dict(case.inputs.kwargs),
            repetitions=tuple((tuple(run.args), dict(run.kwargs)) for run in case.runs)
            if case.repeat > 1
            else (),
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
        forbidden_ops=tuple(getattr(exercise, "forbidden_ops", ())),
        device=device if framework == "torch" else "cpu",
    )


# --- judging ----------------------------------------------------------------------------------


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _detail(text: str) -> MessageData | None:
    """A sandbox message as code and parameters (grader.messages reads its text back)."""
    return message_parse(text).data() if text else None


def _bounded(detail: Message | None, *, text: str) -> MessageData | None:
    """A message's data as it may be stored: through message_load's bounds (parameters cut,
    lists and nesting limited); the plain English text when it does not fit them."""
    if detail is None:
        return None
    loaded = message_load(detail.data())
    return (loaded or text_message(text)).data()


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
) -> checks.CheckResult:
    """The judgement of one call, whatever happened to it (sandbox statuses included). Every
    repetition's value is checked against its own expected value; the time is judged only when
    all are right."""
    if outcome.status == Outcome.OK:
        values = outcome.values or (outcome.value,)
        kinds = outcome.value_kinds or (outcome.value_kind,) * len(values)
        if len(values) != case.repeat or len(kinds) != case.repeat:
            return checks.status_result(
                RUNTIME_ERROR,
                message("grade.repetitions_missing", got=len(values), count=case.repeat),
            )
        result = checks.passed()
        for rep, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            expected = expected_for(
                exercise=exercise, framework=framework, case=case, device=device, rep=rep
            )
            result = _check(
                exercise=exercise,
                framework=framework,
                case=case,
                rep=rep,
                value=value,
                value_kind=kind,
                expected=expected,
            )
            if not result.passed:
                if case.repeat > 1:
                    inner = result.message_detail or message("text", text="")
                    return checks.result_of(
                        result.status,
                        message("repetition", number=rep + 1, count=case.repeat, detail=inner),
                        score=result.score,
                    )
                return result
        if case.performance is not None:
            return _judge_speed(
                exercise=exercise,
                framework=framework,
                case=case,
                outcome=outcome,
                device=device,
                time_multiplier=time_multiplier,
            )
        return result
    if outcome.status == Outcome.RAISED:
        expected = expected_for(exercise=exercise, framework=framework, case=case, device=device)
        judged = exercise.check_raised(
            case=case, exception=outcome.exception, message=outcome.message, expected=expected
        )
        if judged is not None:
            return judged
        return checks.status_result(RUNTIME_ERROR, _sandbox_message(outcome.message))
    if outcome.status in PASS_THROUGH:
        return checks.status_result(str(outcome.status), _sandbox_message(outcome.message))
    # An outcome status outside the agreed vocabulary is treated as a crash of the submission.
    return checks.status_result(
        RUNTIME_ERROR,
        _sandbox_message(outcome.message)
        or message("grade.unexpected_outcome", status=repr(outcome.status)),
    )


def _sandbox_message(text: str) -> Message | str:
    return message_parse(text) if text else ""


def _check(
    *,
    exercise: Exercise,
    framework: str,
    case: Case,
    rep: int,
    value: Any,
    value_kind: str,
    expected: Any,
) -> checks.CheckResult:
    """One returned value against its expected one. Whatever the value is, the answer is a
    verdict: a checker that cannot make sense of it (a hostile shape, a ragged list) makes it
    invalid_output rather than a failed grading."""
    try:
        if isinstance(expected, Raises):
            return checks.check_raises(expected=expected.exception, raised=None, got=value)
        return exercise.check(
            case=case,
            framework=framework,
            got=value,
            value_kind=value_kind,
            expected=expected,
            inputs=case.runs[rep],
        )
    except (ArithmeticError, LookupError, MemoryError, TypeError, ValueError) as exc:
        log.warning("%s: checking %r raised %r", exercise.slug, case.name, exc)
        return checks.invalid(message("check.not_checkable", error=type(exc).__name__))


def _judge_speed(
    *,
    exercise: Exercise,
    framework: str,
    case: Case,
    outcome: CallOutcome,
    device: str,
    time_multiplier: float,
) -> checks.CheckResult:
    allowed = allowed_time_ms(
        exercise=exercise,
        framework=framework,
        case=case,
        device=device,
        time_multiplier=time_multiplier,
    )
    taken = outcome.time_ms
    if taken is None:
        return checks.status_result(RUNTIME_ERROR, message("grade.no_time"))
    runs = message("grade.runs", count=case.repeat) if case.repeat > 1 else message("grade.the_run")
    if taken > allowed:
        return checks.status_result(
            TOO_SLOW,
            message(
                "grade.too_slow", runs=runs, taken=_format_ms(taken), allowed=_format_ms(allowed)
            ),
        )
    return checks.passed(
        message(
            "grade.fast_enough", runs=runs, taken=_format_ms(taken), allowed=_format_ms(allowed)
        )
    )


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
    run_started = time.perf_counter()
    job_result = sandbox.run(job)
    run_done = time.perf_counter()

    total_weight = sum(case.weight for case in cases) or 1.0
    max_scores = [round(exercise.max_score * case.weight / total_weight, 4) for case in cases]

    def uniform(status: str, text: str) -> list[TestResult]:
        return [
            TestResult(
                name=case.name,
                hidden=case.hidden,
                status=status,
                score=0.0,
                max_score=max_score,
                time_ms=None,
                message=text,
                detail=_detail(text),
            )
            for case, max_score in zip(cases, max_scores, strict=True)
        ]

    common = _Common(
        max_score=exercise.max_score,
        stdout=_cap(job_result.stdout, OUTPUT_CHARS),
        stderr=_cap(job_result.stderr, OUTPUT_CHARS),
    )
    if job_result.compile_error is not None:
        compile_message = _cap(job_result.compile_error, MESSAGE_CHARS)
        return GradeResult(
            verdict=COMPILE_ERROR,
            score=0.0,
            tests=uniform(NOT_RUN, ""),
            compile_message=compile_message,
            compile_detail=_detail(compile_message),
            **common,
        )
    if job_result.forbidden_api:
        return GradeResult(
            verdict=FORBIDDEN_API,
            score=0.0,
            tests=uniform(FORBIDDEN_API, _cap(job_result.forbidden_api, MESSAGE_CHARS)),
            **common,
        )

    outcomes = list(job_result.outcomes)
    forbidden = next((o for o in outcomes if o.status == FORBIDDEN_API), None)
    if forbidden is not None:
        # Using a forbidden API anywhere voids the whole submission, as the static check does.
        return GradeResult(
            verdict=FORBIDDEN_API,
            score=0.0,
            tests=uniform(FORBIDDEN_API, _cap(forbidden.message, MESSAGE_CHARS)),
            **common,
        )

    tests: list[TestResult] = []
    failures: list[Failure] = []
    earned = 0.0
    budget = array_values.Budget()
    for index, (case, max_score) in enumerate(zip(cases, max_scores, strict=True)):
        outcome = outcomes[index] if index < len(outcomes) else None
        detail: Message | None = None
        arrays: list[ArrayView] = []
        if outcome is None:
            status, fraction, text, time_ms = NOT_RUN, 0.0, "", None
        else:
            judged = judge_outcome(
                exercise=exercise,
                framework=framework,
                case=case,
                outcome=outcome,
                device=device,
                time_multiplier=time_multiplier,
            )
            status, fraction, text = judged.status, judged.score, judged.message
            detail = judged.message_detail
            time_ms = outcome.time_ms
            if status in DIAGNOSABLE and outcome.status == Outcome.OK and case.performance is None:
                values = outcome.values or (outcome.value,)
                kinds = outcome.value_kinds or (outcome.value_kind,)
                failures.append(Failure(case.name, case.inputs, values[0], kinds[0]))
            if status != PASSED and not case.hidden and outcome.status == Outcome.OK:
                arrays = _arrays(
                    exercise=exercise,
                    framework=framework,
                    case=case,
                    outcome=outcome,
                    budget=budget,
                )
        earned += case.weight * fraction
        tests.append(
            TestResult(
                name=case.name,
                hidden=case.hidden,
                status=status,
                score=round(max_score * fraction, 4),
                max_score=max_score,
                time_ms=time_ms,
                message=_cap(text, MESSAGE_CHARS),
                detail=_bounded(detail, text=_cap(text, MESSAGE_CHARS)),
                warnings=list(outcome.warnings) if outcome is not None else [],
                arrays=arrays,
            )
        )
    failed = next((test for test in tests if test.status != PASSED), None)
    return GradeResult(
        verdict=ACCEPTED if failed is None else str(failed.status),
        score=round(exercise.max_score * earned / total_weight, 4),
        tests=tests,
        diagnosis=_diagnosis(exercise=exercise, framework=framework, failures=failures),
        timings={"run": run_done - run_started, "compare": time.perf_counter() - run_done},
        **common,
    )


def _arrays(
    *,
    exercise: Exercise,
    framework: str,
    case: Case,
    outcome: CallOutcome,
    budget: array_values.Budget,
) -> list[ArrayView]:
    """A failing visible test's returned arrays beside the expected ones. Only ever called for
    a visible test: a hidden test's inputs and expected values stay here. Never fails a grade."""
    assert not case.hidden
    try:
        expected = expected_for(exercise=exercise, framework=framework, case=case)
        if isinstance(expected, Raises):
            return []
        value = outcome.values[0] if outcome.values else outcome.value
        pairs = exercise.output.arrays(name="result", got=value, expected=expected)
        return array_values.array_views(
            pairs=pairs, rtol=exercise.rtol, atol=exercise.atol, budget=budget
        )
    except Exception:
        log.exception("%s: comparing the arrays of %r failed", exercise.slug, case.name)
        return []


def _diagnosis(*, exercise: Exercise, framework: str, failures: list[Failure]) -> Diagnosis | None:
    """The shipped mistake the failing outputs match, computed here on the trusted side from the
    returned values; nothing of a hidden test's inputs goes into it. Never fails a grade."""
    try:
        mistake = diagnose(exercise=exercise, framework=framework, failures=failures)
    except Exception:
        log.exception("%s: diagnosis failed", exercise.slug)
        return None
    if mistake is None:
        return None
    return Diagnosis(mistake=mistake.name, en=mistake.diagnosis["en"], zh=mistake.diagnosis["zh"])
