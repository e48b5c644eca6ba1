"""The checker vocabulary shared by every exercise.

Each checker compares what a student's function returned (already decoded into plain data: numpy
arrays, Python numbers, tuples, dicts) with what the trusted reference computed, and answers with a
CheckResult: a CONTRACT §2 test status, the fraction of the test's points earned, and a message a
student can act on (which shape was expected, where the largest error is, where the first NaN is).
Messages never contain more of the expected value than one number at the worst index, so they stay
safe to show for visible tests; the web side hides them for hidden tests. Each message is a code of
grader.messages with its parameters (`CheckResult.detail`), so the pages can show it in the
reader's language; `CheckResult.message` is its English text.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from grader.messages import Message, message, text_message
from grader.status import TestStatus

PASSED = TestStatus.PASSED
WRONG_ANSWER = TestStatus.WRONG_ANSWER
INVALID_OUTPUT = TestStatus.INVALID_OUTPUT
# Messages quote values; a returned value can be huge, so every quote is cut to this length.
QUOTE_CHARS = 200

KIND_CODES = {
    "tensor": "kind.tensor",
    "ndarray": "kind.ndarray",
    "python": "kind.python",
    "": "kind.none",
}


@dataclass(frozen=True)
class CheckResult:
    """The judgement of one test: its status, the fraction of its points earned (0.0 to 1.0) and
    a message a student can act on: `message` in English, `detail` the same as a code of
    grader.messages and its parameters (None for a plain text message)."""

    status: TestStatus
    score: float
    message: str
    detail: Message | None = None

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def message_detail(self) -> Message | None:
        """The message as code and parameters (plain text as code "text"); None when empty."""
        if self.detail is not None:
            return self.detail
        return text_message(self.message) if self.message else None


_PASSED = CheckResult(status=PASSED, score=1.0, message="")


def result_of(status: str, text: str | Message, *, score: float = 0.0) -> CheckResult:
    """A CheckResult whose message is a Message (its English text kept alongside) or text."""
    if isinstance(text, Message):
        return CheckResult(status=TestStatus(status), score=score, message=text.text(), detail=text)
    return CheckResult(status=TestStatus(status), score=score, message=text)


def quote(value: object) -> str:
    """repr() of a returned value, cut short: messages never carry a whole value."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def status_result(status: str, text: str | Message) -> CheckResult:
    """A result for a status decided outside the checkers (sandbox limits, speed)."""
    return result_of(status, text)


def passed(text: str | Message = "") -> CheckResult:
    return result_of(PASSED, text, score=1.0) if text else _PASSED


def wrong(text: str | Message, *, score: float = 0.0) -> CheckResult:
    return result_of(WRONG_ANSWER, text, score=score)


def invalid(text: str | Message, *, score: float = 0.0) -> CheckResult:
    return result_of(INVALID_OUTPUT, text, score=score)


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


def format_index(index: Sequence[int | np.integer]) -> str:
    items = [int(i) for i in index]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(str(i) for i in items) + ")"


def format_shape(shape: Sequence[int | np.integer]) -> str:
    return format_index(shape)


def _describe_type(value: object) -> Message | str:
    if isinstance(value, np.ndarray):
        return message("type.ndarray", shape=format_shape(value.shape))
    return type(value).__name__


def _kind(value_kind: str) -> Message | str:
    code = KIND_CODES.get(value_kind)
    return message(code) if code else value_kind


def check_kind(*, name: str, value_kind: str, expected_kind: str) -> CheckResult:
    """The top-level kind of a returned value: a tensor under torch, an ndarray under numpy."""
    if value_kind == expected_kind:
        return passed()
    return invalid(
        message("check.kind", name=name, expected=_kind(expected_kind), got=_kind(value_kind))
    )


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
        return invalid(message("check.not_array", name=name, got=_describe_type(got)))
    array = np.asarray(got)
    if array.shape != expected.shape:
        return invalid(_shape_message(name, expected=expected.shape, got=array.shape))
    if isinstance(got, np.ndarray):
        if dtype and array.dtype != expected.dtype:
            return invalid(_dtype_message(name, expected=expected.dtype, got=array.dtype))
        if not np.issubdtype(array.dtype, np.floating):
            return invalid(message("check.float_dtype", name=name, got=str(array.dtype)))
    if np.isfinite(array).all():
        return passed()  # the common case, in one pass and without a float64 copy
    values = array.astype(np.float64)
    expected_finite = np.isfinite(expected)
    nan = np.isnan(values) & ~np.isnan(expected)
    if nan.any():
        index = np.unravel_index(int(np.argmax(nan)), nan.shape)
        return invalid(message("check.nan", name=name, index=format_index(index)))
    inf = np.isinf(values) & expected_finite
    if inf.any():
        index = np.unravel_index(int(np.argmax(inf)), inf.shape)
        return invalid(
            message(
                "check.inf",
                name=name,
                value=format_number(values[index]),
                index=format_index(index),
            )
        )
    return passed()


def _shape_message(name: str, *, expected: Sequence[int], got: Sequence[int]) -> Message:
    return message("check.shape", name=name, expected=format_shape(expected), got=format_shape(got))


def _dtype_message(name: str, *, expected: np.dtype, got: np.dtype) -> Message:
    return message("check.dtype", name=name, expected=str(expected), got=str(got))


def check_values(
    *, name: str, got: object, expected: np.ndarray, rtol: float, atol: float
) -> CheckResult:
    """Elementwise |got - expected| <= atol + rtol * |expected|, reporting the worst elements."""
    if values_clearly_close(got=got, expected=expected, rtol=rtol, atol=atol):
        return passed()
    return check_values_precisely(name=name, got=got, expected=expected, rtol=rtol, atol=atol)


def check_values_precisely(
    *, name: str, got: object, expected: np.ndarray, rtol: float, atol: float
) -> CheckResult:
    """check_values in float64 throughout, for values values_clearly_close did not clear."""
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
            message(
                "check.nonfinite",
                name=name,
                index=format_index(index),
                expected=format_number(reference[index]),
                got=format_number(values[index]),
                count=count,
                size=bad.size,
            )
        )
    worst = np.unravel_index(int(np.argmax(error)), error.shape)
    relative_part: Message | str = ""
    nonzero = finite & (reference != 0)
    if nonzero.any():
        relative = np.where(nonzero, error / np.where(nonzero, np.abs(reference), 1.0), 0.0)
        worst_rel = np.unravel_index(int(np.argmax(relative)), relative.shape)
        relative_part = message(
            "check.values_relative",
            error=format_error(relative[worst_rel]),
            index=format_index(worst_rel),
        )
    return wrong(
        message(
            "check.values",
            name=name,
            error=format_error(error[worst]),
            index=format_index(worst),
            expected=format_number(reference[worst]),
            got=format_number(values[worst]),
            relative=relative_part,
            count=count,
            size=bad.size,
            rtol=format_error(rtol),
            atol=format_error(atol),
        )
    )


# A float32 result is 16 times smaller than the float64 copies below and a pass over it is
# several times faster; an element clears the test in float32 when it does so with a margin of a
# few float32 roundings (the difference and the bound each carry at most two), so float64
# arithmetic would pass it too. Anything closer, non-finite or wrong takes the float64 path.
_FLOAT32_MARGIN = 1.0 - 8 * float(np.finfo(np.float32).eps)
# Bounds kept for read-only expected values (the grader's cached ones), which every submission
# of a case is compared with: the comparison is then one subtraction and one comparison.
_BOUNDS_KEPT_BYTES = 64 << 20
_BOUNDS_KEPT = 4096  # as many as the grader caches expected values
_BLOCK = 1 << 16  # elements compared at a time by values_clearly_close


@dataclass
class _KeptBounds:
    """Bounds by the id of their expected value, oldest first, within a byte budget."""

    entries: dict[int, tuple[weakref.ref, float, float, _Bound | None]]
    nbytes: int = 0

    def get(self, expected: np.ndarray, *, rtol: float, atol: float) -> tuple[_Bound | None, ...]:
        """(bound,) when one is kept for this very array and tolerance; () otherwise."""
        kept = self.entries.get(id(expected))
        # The weak reference tells a new array from a dead one that had the same id.
        if kept is None or kept[0]() is not expected or kept[1:3] != (rtol, atol):
            return ()
        return (kept[3],)

    def keep(self, expected: np.ndarray, *, rtol: float, atol: float, bound: _Bound | None) -> None:
        size = 0 if bound is None else bound.nbytes
        if size > _BOUNDS_KEPT_BYTES:
            return
        self._drop(id(expected))
        while self.entries and (
            self.nbytes + size > _BOUNDS_KEPT_BYTES or len(self.entries) >= _BOUNDS_KEPT
        ):
            self._drop(next(iter(self.entries)))
        self.entries[id(expected)] = (weakref.ref(expected), rtol, atol, bound)
        self.nbytes += size

    def _drop(self, key: int) -> None:
        dropped = self.entries.pop(key, None)
        if dropped is not None and dropped[3] is not None:
            self.nbytes -= dropped[3].nbytes


class _Bound(NamedTuple):
    """Each element's bound, flat, and the smallest bound of each block of _BLOCK elements (None
    when not worked out: a bound used once)."""

    elements: np.ndarray
    floors: np.ndarray | None

    @property
    def nbytes(self) -> int:
        return self.elements.nbytes + (0 if self.floors is None else self.floors.nbytes)


_bounds = _KeptBounds(entries={})


def values_clearly_close(*, got: object, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """True when a float32 array of the expected shape clears the tolerance with a margin. It
    then also has the expected form: an ndarray, that shape and dtype, and finite (a NaN or an
    infinity never clears it)."""
    if not (
        isinstance(got, np.ndarray)
        and got.dtype == np.float32
        and isinstance(expected, np.ndarray)
        and expected.dtype == np.float32
        and got.shape == expected.shape
        and atol > 0
    ):
        return False
    bound = _bound(expected, rtol=rtol, atol=atol)
    if bound is None:
        return False
    # Block by block through two small buffers that stay in cache, rather than through a
    # temporary of the whole array's size: a third less time for softmax's 6 MB results.
    flat_got, flat_expected = got.reshape(-1), expected.reshape(-1)
    size = flat_got.size
    error = np.empty(min(size, _BLOCK), np.float32)
    within = np.empty(min(size, _BLOCK), np.bool_)
    for block, start in enumerate(range(0, size, _BLOCK)):
        stop = min(start + _BLOCK, size)
        part, ok = error[: stop - start], within[: stop - start]
        np.subtract(flat_got[start:stop], flat_expected[start:stop], out=part)
        np.abs(part, out=part)
        # Within the block's smallest bound, the bounds need not be read at all: a third less
        # memory to stream. A NaN makes the maximum NaN, which goes on to the elements.
        if bound.floors is not None and part.max() <= bound.floors[block]:
            continue
        np.less_equal(part, bound.elements[start:stop], out=ok)
        if not ok.all():
            return False
    return True


def _bound(expected: np.ndarray, *, rtol: float, atol: float) -> _Bound | None:
    """(|expected| x rtol + atol) x margin in float32; None when expected is not all finite."""
    kept = _bounds.get(expected, rtol=rtol, atol=atol)
    if kept:
        return kept[0]
    bound: _Bound | None = None
    keep = not expected.flags.writeable  # a writeable one could change under its kept bound
    if np.isfinite(expected).all():
        elements = np.abs(expected).reshape(-1)
        elements *= np.float32(rtol)
        elements += np.float32(atol)
        elements *= np.float32(_FLOAT32_MARGIN)
        floors = None
        if keep and elements.size:
            floors = np.minimum.reduceat(elements, np.arange(0, elements.size, _BLOCK))
        bound = _Bound(elements, floors)
    if keep:
        _bounds.keep(expected, rtol=rtol, atol=atol, bound=bound)
    return bound


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
    if values_clearly_close(got=got, expected=expected, rtol=rtol, atol=atol):
        return passed()  # the form is right too
    form = check_array_form(name=name, got=got, expected=expected, dtype=dtype)
    if not form.passed:
        return form
    return check_values_precisely(name=name, got=got, expected=expected, rtol=rtol, atol=atol)


def check_sums_to_one(*, name: str, got: np.ndarray, dim: int, tol: float = 1e-3) -> CheckResult:
    """A probability distribution along `dim`: every slice sums to 1 and nothing is negative."""
    values = np.asarray(got)
    if values.dtype.kind not in "fiub":
        values = values.astype(np.float64)
    # One pass without a mask in the common case; a NaN (the minimum then) makes it look again.
    if values.size and not values.min() >= 0:
        negative = values < 0
        if negative.any():
            index = np.unravel_index(int(np.argmax(negative)), values.shape)
            return wrong(
                message(
                    "check.negative_probability",
                    name=name,
                    value=format_number(values[index]),
                    index=format_index(index),
                )
            )
    if values.dtype == np.float32 and values.ndim:
        # Summed in float32 first, twice as fast: n non-negative terms summing to about 1 carry
        # an error below n x eps, so a sum within tol of 1 by more than a few times that is
        # within it in exact arithmetic too. Anything closer (or not finite) is summed again.
        slack = 4 * values.shape[dim] * float(np.finfo(np.float32).eps)
        if slack < tol / 2:
            sums32 = np.add.reduce(values, axis=dim)
            if (np.abs(sums32 - np.float32(1)) <= np.float32(tol - slack)).all():
                return passed()
    # Summed in float64 without a float64 copy of the whole array.
    sums = np.add.reduce(values, axis=dim, dtype=np.float64)
    off = np.abs(sums - 1.0) > tol
    if off.any():
        index = np.unravel_index(int(np.argmax(off)), sums.shape)
        return wrong(
            message(
                "check.sum_to_one",
                name=name,
                dim=dim,
                index=format_index(index),
                value=format_number(sums[index]),
            )
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
        return invalid(message("check.hull_shape", name=name, shape=format_shape(values.shape)))
    if outside.shape != values.shape:
        return invalid(message("check.hull_shape", name=name, shape=format_shape(values.shape)))
    if outside.any():
        index = np.unravel_index(int(np.argmax(outside)), outside.shape)
        bounds_index = tuple(
            0 if size == 1 else i for i, size in zip(index[-low.ndim :], low.shape, strict=True)
        )
        return wrong(
            message(
                "check.hull",
                name=name,
                value=format_number(values[index]),
                index=format_index(index),
                low=format_number(low[bounds_index]),
                high=format_number(high[bounds_index]),
            )
        )
    return passed()


def check_raises(*, expected: str, raised: str | None, got: object = None) -> CheckResult:
    """The call must raise `expected` (an exception class name). `raised` is the comma-joined MRO
    chain of what was raised, or None when the call returned `got`."""
    if raised is None:
        return wrong(message("check.raises_returned", expected=expected, got=quote(got)))
    if expected in raised.split(","):
        return passed()
    first = raised.split(",")[0]
    return wrong(message("check.raises_other", expected=expected, raised=first))


def check_int_tuple(*, name: str, got: object, expected: tuple[int, ...]) -> CheckResult:
    """An exact tuple of Python ints. Floats (even 3.0) and bools are rejected where ints are
    required; a list is accepted since plain data does not keep the difference."""
    if not isinstance(got, tuple | list):
        return invalid(
            message("check.int_tuple_type", name=name, count=len(expected), got=_describe_type(got))
        )
    if len(got) != len(expected):
        return invalid(
            message("check.int_tuple_length", name=name, count=len(expected), got=len(got))
        )
    for position, item in enumerate(got):
        if isinstance(item, bool) or not isinstance(item, int):
            return invalid(
                message(
                    "check.int_item",
                    name=name,
                    position=position,
                    type=type(item).__name__,
                    value=quote(item),
                )
            )
    if tuple(got) != tuple(expected):
        return wrong(
            message(
                "check.expected_got",
                name=name,
                expected=repr(tuple(expected)),
                got=quote(tuple(got)),
            )
        )
    return passed()


def check_exact_array(*, name: str, got: object, expected: np.ndarray) -> CheckResult:
    """A bool or integer array that must match exactly: shape and dtype, then every element."""
    if isinstance(got, np.generic):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray):
        return invalid(message("check.not_array", name=name, got=_describe_type(got)))
    if got.shape != expected.shape:
        return invalid(_shape_message(name, expected=expected.shape, got=got.shape))
    if got.dtype != expected.dtype:
        return invalid(_dtype_message(name, expected=expected.dtype, got=got.dtype))
    bad = got != expected
    if not bad.any():
        return passed()
    index = np.unravel_index(int(np.argmax(bad)), bad.shape)
    return wrong(
        message(
            "check.exact",
            name=name,
            index=format_index(index),
            expected=repr(expected[index].item()),
            got=repr(got[index].item()),
            count=int(bad.sum()),
            size=bad.size,
        )
    )


def check_parts(*, results: Mapping[str, CheckResult]) -> CheckResult:
    """Partial credit over named parts judged separately (each part an equal share).

    The status is the first failing part's; the message names every failing part.
    """
    failing = {key: result for key, result in results.items() if not result.passed}
    score = sum(result.score for result in results.values()) / max(len(results), 1)
    if not failing:
        return passed()
    first = next(iter(failing.values()))
    ok = [key for key, result in results.items() if result.passed]
    details = tuple(
        detail for result in failing.values() if (detail := result.message_detail) is not None
    )
    return result_of(
        first.status,
        message(
            "check.wrong_part" if len(failing) == 1 else "check.wrong_parts",
            names=", ".join(failing),
            correct=message("check.correct_parts", names=", ".join(ok)) if ok else "",
            details=details,
        ),
        score=score,
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
            message("check.dict_type", keys=", ".join(expected), got=_describe_type(got))
        )
    results: dict[str, CheckResult] = {}
    for key, reference in expected.items():
        if key not in got:
            results[key] = invalid(message("check.missing_key", name=key))
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
