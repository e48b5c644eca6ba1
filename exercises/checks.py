"""The checker vocabulary shared by every exercise.

Each checker compares what a student's function returned (already decoded into plain data: numpy
arrays, Python numbers, tuples, dicts) with what the trusted reference computed, and answers with a
CheckResult: a CONTRACT §2 test status, the fraction of the test's points earned, and a message a
student can act on (which shape was expected, where the largest error is, where the first NaN is).
Messages never contain more of the expected value than one number at the worst index, so they stay
safe to show for visible tests; the web side hides them for hidden tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

PASSED = "passed"
WRONG_ANSWER = "wrong_answer"
INVALID_OUTPUT = "invalid_output"

KIND_NAMES = {
    "tensor": "a torch.Tensor",
    "ndarray": "a numpy.ndarray",
    "python": "a plain Python value",
    "": "nothing usable",
}


@dataclass(frozen=True)
class CheckResult:
    status: str  # "passed" | "wrong_answer" | "invalid_output"
    score: float  # fraction of the test's points, 0.0 to 1.0
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED


def passed(message: str = "") -> CheckResult:
    return CheckResult(status=PASSED, score=1.0, message=message)


def wrong(message: str, *, score: float = 0.0) -> CheckResult:
    return CheckResult(status=WRONG_ANSWER, score=score, message=message)


def invalid(message: str, *, score: float = 0.0) -> CheckResult:
    return CheckResult(status=INVALID_OUTPUT, score=score, message=message)


def format_number(value: float) -> str:
    """Short, readable numbers for messages: 0.282, 3.2e-2, -inf."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return re.sub(r"e([+-])0*(\d)", lambda m: f"e{m[1].replace('+', '')}{m[2]}", f"{value:.2g}")
    return f"{value:.4g}"


def format_error(value: float) -> str:
    """Errors always in scientific notation with two significant digits: 3.2e-2."""
    text = f"{float(value):.1e}"
    return re.sub(r"e([+-])0*(\d)", lambda m: f"e{m[1].replace('+', '')}{m[2]}", text)


def format_index(index: Sequence[int]) -> str:
    items = [int(i) for i in index]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(str(i) for i in items) + ")"


def format_shape(shape: Sequence[int]) -> str:
    return format_index(shape)


def _describe_type(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray of shape {format_shape(value.shape)}"
    return type(value).__name__


def check_kind(*, name: str, value_kind: str, expected_kind: str) -> CheckResult:
    """The top-level kind of a returned value: a tensor under torch, an ndarray under numpy."""
    if value_kind == expected_kind:
        return passed()
    got = KIND_NAMES.get(value_kind, value_kind)
    return invalid(f"{name}: expected {KIND_NAMES[expected_kind]}, got {got}")


def check_array_form(
    *, name: str, got: object, expected: np.ndarray, dtype: bool = True
) -> CheckResult:
    """Type, shape, dtype and finiteness, checked before any value comparison.

    A Python number is accepted where a 0-d array is expected. With dtype=False only a
    floating dtype is required (for a scalar loss, where float64 is harmless).
    """
    if isinstance(got, np.generic) and not isinstance(got, np.bool_):
        got = np.asarray(got)  # a numpy scalar is a 0-d array
    if isinstance(got, bool) or (
        not isinstance(got, np.ndarray)
        and not (expected.ndim == 0 and isinstance(got, float | int))
    ):
        return invalid(f"{name}: expected an array, got {_describe_type(got)}")
    array = np.asarray(got)
    if array.shape != expected.shape:
        return invalid(
            f"{name}: expected shape {format_shape(expected.shape)}, got {format_shape(array.shape)}"
        )
    if isinstance(got, np.ndarray):
        if dtype and array.dtype != expected.dtype:
            return invalid(f"{name}: expected dtype {expected.dtype}, got {array.dtype}")
        if not np.issubdtype(array.dtype, np.floating):
            return invalid(f"{name}: expected a floating dtype, got {array.dtype}")
    values = array.astype(np.float64)
    expected_finite = np.isfinite(expected)
    nan = np.isnan(values) & ~np.isnan(expected)
    if nan.any():
        index = np.unravel_index(int(np.argmax(nan)), nan.shape)
        return invalid(f"{name}: first NaN at index {format_index(index)}")
    inf = np.isinf(values) & expected_finite
    if inf.any():
        index = np.unravel_index(int(np.argmax(inf)), inf.shape)
        return invalid(
            f"{name}: first {format_number(values[index])} at index {format_index(index)} "
            "where a finite value belongs"
        )
    return passed()


def check_values(
    *, name: str, got: object, expected: np.ndarray, rtol: float, atol: float
) -> CheckResult:
    """Elementwise |got - expected| <= atol + rtol * |expected|, reporting the worst elements."""
    values = np.asarray(got, dtype=np.float64)
    reference = np.asarray(expected, dtype=np.float64)
    finite = np.isfinite(reference)
    if finite.all():
        # The common case, in fewer passes over large outputs (a NaN in got compares False).
        error = np.abs(values - reference)
        if (error <= atol + rtol * np.abs(reference)).all():
            return passed()
    # Non-finite expected entries (e.g. -inf) must be matched exactly.
    mismatch_nonfinite = ~finite & ~(
        (values == reference) | (np.isnan(values) & np.isnan(reference))
    )
    error = np.where(finite, np.abs(values - np.where(finite, reference, 0.0)), 0.0)
    bad = (error > atol + rtol * np.abs(np.where(finite, reference, 0.0))) | mismatch_nonfinite
    if not bad.any():
        return passed()
    count = int(bad.sum())
    if mismatch_nonfinite.any():
        index = np.unravel_index(int(np.argmax(mismatch_nonfinite)), bad.shape)
        return wrong(
            f"{name}: at index {format_index(index)} expected {format_number(reference[index])}, "
            f"got {format_number(values[index])}; {count} of {bad.size} elements outside tolerance"
        )
    worst = np.unravel_index(int(np.argmax(error)), error.shape)
    message = (
        f"{name}: max abs error {format_error(error[worst])} at index {format_index(worst)} "
        f"(expected {format_number(reference[worst])}, got {format_number(values[worst])})"
    )
    nonzero = finite & (reference != 0)
    if nonzero.any():
        relative = np.where(nonzero, error / np.where(nonzero, np.abs(reference), 1.0), 0.0)
        worst_rel = np.unravel_index(int(np.argmax(relative)), relative.shape)
        message += (
            f"; max rel error {format_error(relative[worst_rel])} at index "
            f"{format_index(worst_rel)}"
        )
    message += (
        f"; {count} of {bad.size} elements outside rtol={format_error(rtol)}, "
        f"atol={format_error(atol)}"
    )
    return wrong(message)


def check_allclose(
    *,
    name: str,
    got: object,
    expected: np.ndarray,
    rtol: float,
    atol: float,
    dtype: bool = True,
) -> CheckResult:
    """Shape, dtype and finiteness first (invalid_output), then values (wrong_answer)."""
    form = check_array_form(name=name, got=got, expected=expected, dtype=dtype)
    if not form.passed:
        return form
    return check_values(name=name, got=got, expected=expected, rtol=rtol, atol=atol)


def check_sums_to_one(*, name: str, got: np.ndarray, dim: int, tol: float = 1e-3) -> CheckResult:
    """A probability distribution along `dim`: every slice sums to 1 and nothing is negative."""
    values = np.asarray(got, dtype=np.float64)
    negative = values < 0
    if negative.any():
        index = np.unravel_index(int(np.argmax(negative)), values.shape)
        return wrong(
            f"{name}: probabilities must not be negative; got {format_number(values[index])} "
            f"at index {format_index(index)}"
        )
    sums = values.sum(axis=dim)
    off = np.abs(sums - 1.0) > tol
    if off.any():
        index = np.unravel_index(int(np.argmax(off)), sums.shape)
        return wrong(
            f"{name}: does not sum to 1 along dim={dim}: the slice at {format_index(index)} "
            f"sums to {format_number(sums[index])}"
        )
    return passed()


def check_within_hull(
    *, name: str, got: np.ndarray, v: np.ndarray, tol: float = 1e-4, axis: int = -2
) -> CheckResult:
    """Each output coordinate is a convex combination of the rows of v, so it lies between the
    smallest and largest value of that coordinate in v (per batch, after broadcasting)."""
    values = np.asarray(got, dtype=np.float64)
    v64 = np.asarray(v, dtype=np.float64)
    low = v64.min(axis=axis, keepdims=True)
    high = v64.max(axis=axis, keepdims=True)
    slack = tol * (1.0 + np.maximum(np.abs(low), np.abs(high)))
    try:
        outside = (values < low - slack) | (values > high + slack)
    except ValueError:
        return invalid(f"{name}: shape {format_shape(values.shape)} does not broadcast with v")
    if outside.shape != values.shape:
        return invalid(f"{name}: shape {format_shape(values.shape)} does not broadcast with v")
    if outside.any():
        index = np.unravel_index(int(np.argmax(outside)), outside.shape)
        bounds_index = tuple(
            0 if size == 1 else i for i, size in zip(index[-low.ndim :], low.shape, strict=True)
        )
        return wrong(
            f"{name}: value {format_number(values[index])} at index {format_index(index)} lies "
            f"outside [{format_number(low[bounds_index])}, {format_number(high[bounds_index])}], "
            "the range of v for that coordinate; attention output must be a weighted average "
            "of the rows of v"
        )
    return passed()


def check_raises(*, expected: str, raised: str | None, got: object = None) -> CheckResult:
    """The call must raise `expected` (an exception class name). `raised` is the comma-joined MRO
    chain of what was raised, or None when the call returned `got`."""
    if raised is None:
        return wrong(f"expected {expected} to be raised, but the call returned {got!r}")
    if expected in raised.split(","):
        return passed()
    first = raised.split(",")[0]
    return wrong(f"expected {expected}, but {first} was raised")


def check_int_tuple(*, name: str, got: object, expected: tuple[int, ...]) -> CheckResult:
    """An exact tuple of Python ints. Floats (even 3.0) and bools are rejected where ints are
    required; a list is accepted since plain data does not keep the difference."""
    if not isinstance(got, tuple | list):
        return invalid(
            f"{name}: expected a tuple of {len(expected)} ints, got {_describe_type(got)}"
        )
    if len(got) != len(expected):
        return invalid(f"{name}: expected a tuple of {len(expected)} ints, got {len(got)} items")
    for position, item in enumerate(got):
        if isinstance(item, bool) or not isinstance(item, int):
            return invalid(
                f"{name}: item {position} must be a Python int, got {type(item).__name__} "
                f"({item!r})"
            )
    if tuple(got) != tuple(expected):
        return wrong(f"{name}: expected {tuple(expected)!r}, got {tuple(got)!r}")
    return passed()


def check_parts(*, results: Mapping[str, CheckResult]) -> CheckResult:
    """Partial credit over named parts judged separately (each part an equal share).

    The status is the first failing part's; the message names every failing part.
    """
    failing = {key: result for key, result in results.items() if not result.passed}
    score = sum(result.score for result in results.values()) / max(len(results), 1)
    if not failing:
        return passed()
    first = next(iter(failing.values()))
    names = ", ".join(failing)
    ok = [key for key, result in results.items() if result.passed]
    details = "; ".join(result.message for result in failing.values())
    suffix = f" (correct: {', '.join(ok)})" if ok else ""
    noun = "part" if len(failing) == 1 else "parts"
    return CheckResult(
        status=first.status,
        score=score,
        message=f"wrong {noun}: {names}{suffix}. {details}",
    )


def check_array_dict(
    *,
    got: object,
    expected: Mapping[str, np.ndarray],
    rtol: float,
    atol: float,
    loose_dtype: Sequence[str] = (),
) -> CheckResult:
    """A dict of arrays, each key judged separately with check_allclose (partial credit)."""
    if not isinstance(got, Mapping):
        return invalid(
            f"expected a dict with keys {', '.join(expected)}, got {_describe_type(got)}"
        )
    results: dict[str, CheckResult] = {}
    for key, reference in expected.items():
        if key not in got:
            results[key] = invalid(f"{key}: missing from the returned dict")
            continue
        results[key] = check_allclose(
            name=key,
            got=got[key],
            expected=reference,
            rtol=rtol,
            atol=atol,
            dtype=key not in loose_dtype,
        )
    return check_parts(results=results)


def first_failure(*results: CheckResult) -> CheckResult:
    """Run-in-order combination: the first result that did not pass, else a pass."""
    for result in results:
        if not result.passed:
            return result
    return passed()
