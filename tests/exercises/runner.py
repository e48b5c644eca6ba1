"""Runs a Python function on an exercise's cases in this process and judges it with the
exercise's checkers, converting inputs and outputs the way the sandbox does (tensors under torch,
ndarrays back). Used to test the checkers and the references without the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from exercises.base import Case, Exercise, Raises, copy_value
from exercises.checks import CheckResult, check_raises
from grader.protocol import value_kind


@dataclass(frozen=True)
class Judged:
    case: Case
    result: CheckResult


def _to_torch(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value, copy=True))
    if isinstance(value, tuple | list):
        return type(value)(_to_torch(item) for item in value)
    if isinstance(value, dict):
        return {key: _to_torch(item) for key, item in value.items()}
    return value


def _from_torch(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, tuple | list):
        return type(value)(_from_torch(item) for item in value)
    if isinstance(value, dict):
        return {key: _from_torch(item) for key, item in value.items()}
    return value


def judge_function(
    *,
    exercise: Exercise,
    framework: str,
    function: Callable[..., Any],
    performance: bool = True,
) -> list[Judged]:
    judged = []
    for case in exercise.cases():
        if case.performance is not None and not performance:
            continue
        args = copy_value(tuple(case.inputs.args))
        kwargs = copy_value(dict(case.inputs.kwargs))
        if framework == "torch":
            args, kwargs = _to_torch(args), _to_torch(kwargs)
        expected = exercise.expected(case.inputs)
        try:
            got = function(*args, **kwargs)
        except Exception as exc:
            chain = ",".join(cls.__name__ for cls in type(exc).__mro__)
            result = exercise.check_raised(
                case=case, exception=chain, message=str(exc), expected=expected
            )
            if result is None:
                result = CheckResult(status="runtime_error", score=0.0, message=repr(exc))
        else:
            if isinstance(expected, Raises):
                result = check_raises(expected=expected.exception, raised=None, got=got)
            else:
                result = exercise.check(
                    case=case,
                    framework=framework,
                    got=_from_torch(got),
                    value_kind=value_kind(got),
                    expected=expected,
                )
        judged.append(Judged(case=case, result=result))
    return judged


def load_function(*, source: str, entry_point: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<submission>", "exec"), namespace)
    return namespace[entry_point]


def by_name(judged: list[Judged]) -> dict[str, CheckResult]:
    return {item.case.name: item.result for item in judged}
