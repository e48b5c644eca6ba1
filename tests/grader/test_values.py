"""Where a returned array differs from the expected one (grader.values): each element's error
relative to its tolerance in levels, the part that is shown, and the bounds on what is kept."""

from __future__ import annotations

import json

import numpy as np

from exercises.specs import Array, ArrayPair, Dict, Optional, Tuple
from grader.values import (
    BEYOND,
    MAX_ARRAYS,
    MAX_SHOWN,
    NON_FINITE,
    UP_TO_10,
    UP_TO_100,
    WITHIN,
    Budget,
    array_view,
    array_views,
    error_levels,
)

RTOL, ATOL = 1e-4, 1e-5


def _pair(got, expected, name: str = "result") -> ArrayPair:
    return ArrayPair(name=name, got=np.asarray(got), expected=np.asarray(expected))


def test_levels_follow_the_checkers_tolerance_rule():
    expected = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -np.inf, -np.inf], dtype=np.float32)
    tol = ATOL + RTOL * 1.0
    got = np.array(
        [1.0, 1 + 5 * tol, 1 + 50 * tol, 1 + 500 * tol, np.nan, np.inf, -np.inf, 0.0],
        dtype=np.float64,
    )
    levels, _ = error_levels(got=got, expected=expected, rtol=RTOL, atol=ATOL)
    assert levels.tolist() == [
        WITHIN,
        UP_TO_10,
        UP_TO_100,
        BEYOND,
        NON_FINITE,
        NON_FINITE,
        WITHIN,  # -inf where -inf belongs
        NON_FINITE,  # a number where -inf belongs
    ]


def test_integer_and_bool_arrays_are_compared_exactly():
    levels, _ = error_levels(
        got=np.array([1, 2, 3]), expected=np.array([1, 2, 4]), rtol=RTOL, atol=ATOL
    )
    assert levels.tolist() == [WITHIN, WITHIN, BEYOND]
    view = array_view(
        pair=_pair([True, False], [True, True]), rtol=RTOL, atol=ATOL, budget=Budget()
    )
    assert view is not None and view["got"] == [True, False] and view["levels"] == [0, 3]


def test_a_2d_array_is_shown_whole_with_its_largest_error():
    expected = np.arange(12, dtype=np.float32).reshape(3, 4)
    got = expected.copy()
    got[1, 2] += 1.0
    got[2, 3] += 0.01
    view = array_view(pair=_pair(got, expected), rtol=RTOL, atol=ATOL, budget=Budget())
    assert view is not None
    assert (view["rows"], view["cols"], view["slice"]) == (3, 4, [])
    assert view["differ"] == 2 and view["first"] == [1, 2] and view["worst"] == [1, 2]
    assert view["shown_worst"] == [1, 2]
    assert view["expected"] == [float(v) for v in range(12)]
    assert len(view["got"]) == len(view["levels"]) == 12


def test_a_higher_rank_shows_the_slice_of_the_first_difference():
    expected = np.zeros((2, 3, 4, 5), dtype=np.float32)
    got = expected.copy()
    got[1, 2, 3, 4] = 1.0
    got[1, 0, 0, 0] = np.nan
    view = array_view(pair=_pair(got, expected), rtol=RTOL, atol=ATOL, budget=Budget())
    assert view is not None
    assert view["first"] == [1, 0, 0, 0] and view["slice"] == [1, 0]
    assert (view["rows"], view["cols"]) == (4, 5)
    assert view["got"][0] == "nan" and view["levels"][0] == NON_FINITE
    # The largest error is elsewhere in the array; in the slice shown it is the NaN.
    assert view["worst"] == [1, 0, 0, 0] and view["shown_worst"] == [0, 0]


def test_nothing_is_shown_for_an_array_that_matches():
    expected = np.ones((3,), dtype=np.float32)
    assert array_view(pair=_pair(expected, expected), rtol=RTOL, atol=ATOL, budget=Budget()) is None


def test_a_large_array_becomes_a_summary_and_a_grade_has_a_budget():
    big = np.zeros((MAX_SHOWN + 1,), dtype=np.float32)
    view = array_view(pair=_pair(big + 1, big), rtol=RTOL, atol=ATOL, budget=Budget())
    assert view is not None and view["differ"] == MAX_SHOWN + 1
    assert view["expected"] is None and view["got"] is None and view["levels"] is None
    budget = Budget(limit=100)
    small = np.zeros((8, 8), dtype=np.float32)
    first = array_view(pair=_pair(small + 1, small), rtol=RTOL, atol=ATOL, budget=budget)
    second = array_view(pair=_pair(small + 1, small), rtol=RTOL, atol=ATOL, budget=budget)
    assert first is not None and first["levels"] is not None
    assert second is not None and second["levels"] is None  # over the grade's budget
    pairs = [_pair(small + 1, small, name=f"p{i}") for i in range(10)]
    assert len(array_views(pairs=pairs, rtol=RTOL, atol=ATOL, budget=Budget())) == MAX_ARRAYS


def test_views_are_plain_json_and_bounded():
    expected = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    got = expected * 1.5
    got[0, 0] = np.inf
    view = array_view(pair=_pair(got, expected), rtol=RTOL, atol=ATOL, budget=Budget())
    text = json.dumps(view, allow_nan=False)
    assert len(text) < 32 * MAX_SHOWN


def test_specs_pair_up_the_arrays_of_a_structured_value():
    spec = Tuple(Array(), Optional(Array(atol=1e-3)), names=("h", "c"))
    a, b = np.zeros(3, np.float32), np.ones((2, 2), np.float32)
    pairs = spec.arrays(name="result", got=(a, b), expected=(a, b))
    assert [(p.name, p.atol) for p in pairs] == [("h", None), ("c", 1e-3)]
    assert spec.arrays(name="result", got=(a,), expected=(a, b)) == []
    assert spec.arrays(name="result", got=(a, None), expected=(a, b))[0].name == "h"
    # A shape the expected value does not have is no picture (the message says the shapes).
    assert Array().arrays(name="result", got=np.zeros(4), expected=np.zeros(3)) == []
    assert Array().arrays(name="result", got=[1.0], expected=np.zeros(1)) == []
    keyed = Dict({"loss": Array(dtype="float"), "dw": Array()})
    got = {"loss": np.float32(1.0), "dw": b, "extra": a}
    pairs = keyed.arrays(name="result", got=got, expected={"loss": np.float32(2.0), "dw": b})
    assert [p.name for p in pairs] == ["loss", "dw"]
