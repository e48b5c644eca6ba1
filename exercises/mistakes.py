"""Typical mistakes, shipped with each exercise in `exercises/<pkg>/mistakes/*.py`.

A mistake file is a plausible wrong submission plus one literal declaration, read without running
the file:

    MISTAKE = {
        "framework": "numpy",
        "expect": {"stable for large logits": "invalid_output"},   # test name -> status
        "messages": {"dim=0 on a 3-D input": "along dim=0"},        # optional: message parts
        "edge": True,       # optional: the visible samples pass; only hidden edge cases show it
        "diagnosis": {"en": "softmax without subtracting the max: ...", "zh": "..."},
    }

The hidden tests must catch every mistake with the declared statuses (mutation testing of the
tests), and grading names a mistake when a failed submission's outputs match the mistake's own
outputs on the failing tests (`diagnose`).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.status import TEST_STATUSES

if TYPE_CHECKING:
    from exercises.base import Exercise, Inputs

DECLARATION = "MISTAKE"
LANGUAGES = ("zh", "en")


class MistakeError(ValueError):
    """A mistake file whose declaration is missing or malformed."""


@dataclass(frozen=True)
class Mistake:
    name: str  # the file's stem
    framework: str
    source: str
    expect: Mapping[str, str]
    diagnosis: Mapping[str, str]
    messages: Mapping[str, str] = field(default_factory=dict)
    edge: bool = False


def mistake_load(path: Path) -> Mistake:
    """Read one mistake file's declaration (never executes the file)."""
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise MistakeError(f"{path}: does not parse: {exc}") from None
    declared: Any = None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == DECLARATION
        ):
            try:
                declared = ast.literal_eval(node.value)
            except ValueError:
                raise MistakeError(f"{path}: {DECLARATION} must be a literal dict") from None
    if not isinstance(declared, dict):
        raise MistakeError(f"{path}: no {DECLARATION} = {{...}} declaration")
    problems = []
    expect = declared.get("expect")
    if not isinstance(expect, dict) or not expect:
        problems.append('"expect" must map test names to statuses')
    elif bad := [status for status in expect.values() if status not in TEST_STATUSES]:
        problems.append(f'"expect" has unknown statuses {bad}')
    diagnosis = declared.get("diagnosis")
    if not isinstance(diagnosis, dict) or any(
        not isinstance(diagnosis.get(lang), str) or not diagnosis[lang].strip()
        for lang in LANGUAGES
    ):
        problems.append('"diagnosis" needs a one-line text in "zh" and "en"')
    if not isinstance(declared.get("framework"), str):
        problems.append('"framework" must name one of the exercise\'s frameworks')
    if problems:
        raise MistakeError(f"{path}: " + "; ".join(problems))
    return Mistake(
        name=path.stem,
        framework=declared["framework"],
        source=source,
        expect=dict(expect),  # type: ignore[arg-type]
        diagnosis=dict(diagnosis),  # type: ignore[arg-type]
        messages=dict(declared.get("messages") or {}),
        edge=bool(declared.get("edge", False)),
    )


def mistakes_load(directory: Path) -> tuple[Mistake, ...]:
    if not directory.is_dir():
        return ()
    return tuple(
        mistake_load(path) for path in sorted(directory.glob("*.py")) if path.name != "__init__.py"
    )


# --- diagnosis (trusted side) ---------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _function(source: str, entry_point: str, label: str) -> Callable[..., Any]:
    # The mistakes are the project's own code, run on the trusted side like the model solutions.
    namespace: dict[str, Any] = {"__name__": label}
    exec(compile(source, label, "exec"), namespace)
    return namespace[entry_point]


def mistake_output(*, exercise: Exercise, mistake: Mistake, inputs: Inputs) -> Any:
    """What the mistake returns on these inputs, as plain data; raises what it raises."""
    return mistake_call(exercise=exercise, mistake=mistake, inputs=inputs)[0]


def mistake_call(*, exercise: Exercise, mistake: Mistake, inputs: Inputs) -> tuple[Any, str]:
    """(plain value, value kind) of the mistake's call, the kind as the sandbox reports it."""
    from exercises.frameworks import to_framework, to_plain
    from grader.protocol import value_kind

    function = _function(
        mistake.source, exercise.entry_point, f"{exercise.slug}/mistakes/{mistake.name}.py"
    )
    args = to_framework(tuple(inputs.args), framework=mistake.framework)
    kwargs = to_framework(dict(inputs.kwargs), framework=mistake.framework)
    value = function(*args, **kwargs)
    return to_plain(value), value_kind(value)


@dataclass(frozen=True)
class Failure:
    """A failing test whose call returned a value: its inputs and what the submission returned."""

    case_name: str
    inputs: Inputs
    got: Any
    value_kind: str = ""


def values_match(a: Any, b: Any, *, rtol: float, atol: float) -> bool:
    """Plain values equal in structure, shape and dtype, and in value within the tolerance
    (NaN matches NaN, infinities match exactly)."""
    import numpy as np

    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind not in "fc":
            return bool(np.array_equal(a, b))
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(
            values_match(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b, strict=True)
        )
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(
            values_match(a[k], b[k], rtol=rtol, atol=atol) for k in a
        )
    if isinstance(a, float):
        return values_match(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)
    return bool(a == b)


def diagnose(*, exercise: Exercise, framework: str, failures: list[Failure]) -> Mistake | None:
    """The first shipped mistake that returns what the submission returned on every failing test
    that returned a value (same tolerance), where that value, from this submission, is wrong (a
    mistake that is right on a test is never blamed for it), or None."""
    if not failures:
        return None
    import warnings

    import numpy as np

    for mistake in exercise.mistakes:
        for failure in failures:
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    theirs = mistake_output(
                        exercise=exercise, mistake=mistake, inputs=failure.inputs
                    )
                    judged = exercise.check(
                        framework=framework,
                        got=theirs,
                        value_kind=failure.value_kind,
                        expected=exercise.expected(failure.inputs),
                        inputs=failure.inputs,
                    )
            except Exception:
                break
            if judged.passed:
                break  # right on this test: it cannot be what went wrong here
            if not values_match(failure.got, theirs, rtol=exercise.rtol, atol=exercise.atol):
                break
        else:
            return mistake
    return None
