"""Where a visible test's returned arrays differ from the expected ones, as plain data for a
picture: each element's error relative to the tolerance, in a few levels, beside both values.

Built on the trusted side, for visible (sample) tests only: their inputs and expected values are
public, so showing them next to what the code returned gives nothing away. Hidden tests never get
one (grader.grading does not call this for them). What it holds is bounded: at most MAX_SHOWN
elements of an array (a 1-D array whole, a 2-D one whole, of a higher rank the last two
dimensions of the first slice with an element that differs); a larger part becomes a summary
(counts and where the largest error is, no values). Plain JSON: numbers, and "nan", "inf", "-inf"
as strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import EllipsisType
from typing import TypeAlias, TypedDict

import numpy as np

from exercises.specs import ArrayPair

# Elements of one array's shown part, and of all shown parts of a grade together.
MAX_SHOWN = 4096
MAX_SHOWN_PER_GRADE = 8192
# Arrays per test (a tuple or dict result has several).
MAX_ARRAYS = 4

# Levels of an element's error relative to its tolerance (atol + rtol·|expected|).
WITHIN = 0  # within the tolerance
UP_TO_10 = 1  # up to 10x the tolerance
UP_TO_100 = 2  # up to 100x
BEYOND = 3  # more than 100x (or any difference where the comparison is exact)
NON_FINITE = 4  # NaN or ±inf where the expected value differs

Number: TypeAlias = float | int | bool | str


class ArrayView(TypedDict):
    name: str
    shape: list[int]
    size: int
    # Elements outside the tolerance, in the whole array; full indices of the first of them and
    # of the one with the largest error relative to the tolerance ([] when none).
    differ: int
    first: list[int]
    worst: list[int]
    # The shown part: its leading indices (rank > 2, else []), its grid (1 x n for 1-D).
    slice: list[int]
    rows: int
    cols: int
    # Row-major values and levels of the shown part; None for a summary (too large to show).
    expected: list[Number] | None
    got: list[Number] | None
    levels: list[int] | None
    # Where the largest error of the shown part is, [row, column] ([] when none differs there).
    shown_worst: list[int]
    rtol: float
    atol: float


class Budget:
    """Shown elements left for a grade's pictures."""

    def __init__(self, limit: int = MAX_SHOWN_PER_GRADE) -> None:
        self.left = limit

    def take(self, count: int) -> bool:
        if count > self.left:
            return False
        self.left -= count
        return True


def array_views(
    *, pairs: Sequence[ArrayPair], rtol: float, atol: float, budget: Budget
) -> list[ArrayView]:
    """Views of the arrays that differ (at most MAX_ARRAYS), the exercise's tolerance where the
    spec sets none. Never raises for what a submission returned: an array it cannot compare is
    left out."""
    views: list[ArrayView] = []
    for pair in pairs:
        if len(views) >= MAX_ARRAYS:
            break
        try:
            view = array_view(
                pair=pair,
                rtol=rtol if pair.rtol is None else pair.rtol,
                atol=atol if pair.atol is None else pair.atol,
                budget=budget,
            )
        except (ArithmeticError, MemoryError, TypeError, ValueError):
            continue
        if view is not None:
            views.append(view)
    return views


def error_levels(
    *, got: np.ndarray, expected: np.ndarray, rtol: float, atol: float
) -> tuple[np.ndarray, np.ndarray]:
    """(levels, scaled): each element's level and its error over its tolerance (inf for a
    non-finite mismatch), by the rule exercises.checks.check_values applies. Integer and bool
    arrays are compared exactly."""
    if expected.dtype.kind in "biu":
        differ = got != expected
        levels = np.where(differ, BEYOND, WITHIN).astype(np.int8)
        return levels, np.where(differ, np.inf, 0.0)
    values = got.astype(np.float64)
    reference = expected.astype(np.float64)
    finite = np.isfinite(reference)
    safe = np.where(finite, reference, 0.0)
    tolerance = atol + rtol * np.abs(safe)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        error = np.abs(values - safe)
        scaled = np.where(tolerance > 0, error / np.where(tolerance > 0, tolerance, 1.0), 0.0)
        scaled = np.where((tolerance == 0) & (error > 0), np.inf, scaled)
    same_nonfinite = (values == reference) | (np.isnan(values) & np.isnan(reference))
    non_finite = np.where(finite, ~np.isfinite(values), ~same_nonfinite)
    scaled = np.where(non_finite, np.inf, np.where(finite, scaled, 0.0))
    levels = np.select(
        [non_finite, scaled <= 1.0, scaled <= 10.0, scaled <= 100.0],
        [NON_FINITE, WITHIN, UP_TO_10, UP_TO_100],
        default=BEYOND,
    ).astype(np.int8)
    return levels, scaled


def array_view(*, pair: ArrayPair, rtol: float, atol: float, budget: Budget) -> ArrayView | None:
    """One array's view, or None when nothing in it differs."""
    got, expected = np.asarray(pair.got), np.asarray(pair.expected)
    if got.shape != expected.shape or expected.size == 0:
        return None
    levels, scaled = error_levels(got=got, expected=expected, rtol=rtol, atol=atol)
    bad = levels > WITHIN
    differ = int(bad.sum())
    if not differ:
        return None
    first = _index(int(np.argmax(bad)), bad.shape)
    worst = _index(_argmax(scaled, bad), bad.shape)
    lead = tuple(first[:-2]) if expected.ndim > 2 else ()
    part: tuple[int | EllipsisType, ...] = (*lead, Ellipsis)
    shown_shape = expected[part].shape
    rows, cols = (1, 1) if not shown_shape else (1, shown_shape[0])
    if len(shown_shape) == 2:
        rows, cols = shown_shape
    view = ArrayView(
        name=pair.name,
        shape=[int(n) for n in expected.shape],
        size=int(expected.size),
        differ=differ,
        first=first,
        worst=worst,
        slice=list(lead),
        rows=int(rows),
        cols=int(cols),
        expected=None,
        got=None,
        levels=None,
        shown_worst=[],
        rtol=float(rtol),
        atol=float(atol),
    )
    shown = rows * cols
    if shown > MAX_SHOWN or not budget.take(shown):
        return view
    shown_bad = bad[part].reshape(-1)
    view["expected"] = [_plain(v) for v in expected[part].reshape(-1).tolist()]
    view["got"] = [_plain(v) for v in got[part].reshape(-1).tolist()]
    view["levels"] = [int(v) for v in levels[part].reshape(-1)]
    if shown_bad.any():
        flat = _argmax(scaled[part].reshape(-1), shown_bad)
        view["shown_worst"] = [flat // cols, flat % cols]
    return view


def _argmax(scaled: np.ndarray, bad: np.ndarray) -> int:
    """The flat position of the largest scaled error among the elements that differ (the first
    of them on a tie, an infinite error first of all)."""
    ranked = np.where(bad, scaled, -1.0)
    return int(np.argmax(ranked))


def _index(flat: int, shape: tuple[int, ...]) -> list[int]:
    return [int(i) for i in np.unravel_index(flat, shape)] if shape else []


def _plain(value: object) -> Number:
    """A value for JSON: bools and ints as they are, floats to 7 significant digits (float32's
    precision), non-finite ones as text."""
    if isinstance(value, bool | int):
        return value
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return float(f"{number:.7g}")
