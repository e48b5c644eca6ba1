"""Runs a Python function on an exercise's cases in this process and judges each call with the
real judge (grader.grading.judge_outcome), converting inputs and outputs the way the sandbox does
(tensors under torch, plain data back). Used to test the checkers, the references and the shipped
mistakes without the sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from exercises.base import Case, Exercise, copy_value
from exercises.checks import CheckResult
from exercises.frameworks import to_framework, to_plain
from grader.grading import judge_outcome
from grader.protocol import value_kind
from grader.sandbox import CallOutcome
from grader.status import Outcome


@dataclass(frozen=True)
class Judged:
    case: Case
    result: CheckResult


def _call(case: Case, framework: str, function: Callable[..., Any], timed: bool) -> CallOutcome:
    values, kinds, times = [], [], []
    for inputs in case.runs:
        args = to_framework(copy_value(tuple(inputs.args)), framework=framework)
        kwargs = to_framework(copy_value(dict(inputs.kwargs)), framework=framework)
        started = time.perf_counter()
        try:
            got = function(*args, **kwargs)
        except Exception as exc:
            chain = ",".join(cls.__name__ for cls in type(exc).__mro__ if cls is not object)
            return CallOutcome(
                name=case.name, status=Outcome.RAISED, exception=chain, message=repr(exc)
            )
        times.append((time.perf_counter() - started) * 1000)
        kinds.append(value_kind(got))
        values.append(to_plain(got))
    return CallOutcome(
        name=case.name,
        status=Outcome.OK,
        value=values[0],
        value_kind=kinds[0],
        values=tuple(values),
        value_kinds=tuple(kinds),
        # In process, on a shared machine, time says little: speed is judged through the sandbox
        # (test_sandbox_judging); here only when asked.
        time_ms=sum(times) if timed else 0.0,
        times_ms=tuple(times),
    )


def judge_function(
    *,
    exercise: Exercise,
    framework: str,
    function: Callable[..., Any],
    performance: bool = True,
    timed: bool = False,
) -> list[Judged]:
    judged = []
    for case in exercise.cases():
        if case.performance is not None and not performance:
            continue
        outcome = _call(case, framework, function, timed)
        result = judge_outcome(
            exercise=exercise, framework=framework, case=case, outcome=outcome, time_multiplier=3.0
        )
        judged.append(Judged(case=case, result=result))
    return judged


def load_function(*, source: str, entry_point: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<submission>", "exec"), namespace)
    return namespace[entry_point]


def by_name(judged: list[Judged]) -> dict[str, CheckResult]:
    return {item.case.name: item.result for item in judged}
