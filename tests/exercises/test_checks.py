"""The shared checker vocabulary: statuses, partial credit and student-readable messages."""

from __future__ import annotations

import numpy as np
import pytest

from exercises import checks

F32 = np.float32


def test_shape_mismatch_is_invalid_output_with_both_shapes():
    """A wrongly shaped result is invalid_output and the message gives both shapes."""
    result = checks.check_allclose(
        name="result",
        got=np.zeros((3, 2), F32),
        expected=np.zeros((2, 3), F32),
        rtol=1e-4,
        atol=1e-5,
    )
    assert result.status == "invalid_output"
    assert result.score == 0
    assert result.message == "result: expected shape (2, 3), got (3, 2)"


def test_worst_error_is_located():
    """The message names the max abs error, its index and both values at that index."""
    expected = np.full((2, 5), 0.25, F32)
    got = expected.copy()
    got[1, 4] = 0.282
    got[0, 0] = 0.2501
    result = checks.check_allclose(name="result", got=got, expected=expected, rtol=1e-4, atol=1e-5)
    assert result.status == "wrong_answer"
    assert "max abs error 3.2e-2 at index (1, 4) (expected 0.25, got 0.282)" in result.message
    assert "max rel error 1.3e-1 at index (1, 4)" in result.message
    assert "2 of 10 elements" in result.message


def test_first_nan_is_reported():
    """A NaN where a number belongs is invalid_output naming the first NaN's index."""
    got = np.ones((2, 3), F32)
    got[0, 2] = np.nan
    got[1, 0] = np.nan
    result = checks.check_allclose(
        name="result", got=got, expected=np.ones((2, 3), F32), rtol=1e-4, atol=1e-5
    )
    assert result.status == "invalid_output"
    assert result.message == "result: first NaN at index (0, 2)"


def test_inf_is_invalid():
    """An infinity where the expected value is finite is invalid_output."""
    got = np.array([1.0, np.inf], F32)
    result = checks.check_allclose(
        name="out", got=got, expected=np.ones(2, F32), rtol=1e-4, atol=1e-5
    )
    assert result.status == "invalid_output"
    assert "inf at index (1,)" in result.message


def test_dtype_is_checked():
    """float64 where float32 is required is invalid_output naming both dtypes."""
    result = checks.check_allclose(
        name="result", got=np.ones(3), expected=np.ones(3, F32), rtol=1e-4, atol=1e-5
    )
    assert result.status == "invalid_output"
    assert result.message == "result: expected dtype float32, got float64"


def test_loose_dtype_accepts_python_float_for_scalar():
    """With dtype=False a Python float stands for a 0-d array."""
    result = checks.check_allclose(
        name="loss",
        got=1.00001,
        expected=np.asarray(1.0, F32),
        rtol=1e-4,
        atol=1e-5,
        dtype=False,
    )
    assert result.passed


def test_not_an_array():
    """A list is not an array."""
    result = checks.check_allclose(
        name="result", got=[1.0, 2.0], expected=np.ones(2, F32), rtol=1e-4, atol=1e-5
    )
    assert result.status == "invalid_output"
    assert "expected an array, got list" in result.message


def test_within_tolerance_passes():
    """Errors within atol + rtol * |expected| pass."""
    expected = np.linspace(-1, 1, 7, dtype=F32)
    result = checks.check_allclose(
        name="result", got=expected + F32(5e-6), expected=expected, rtol=1e-4, atol=1e-5
    )
    assert result.passed and result.score == 1.0


def test_sums_to_one_names_the_dim():
    """A result that does not sum to 1 along dim says so with the dim and the sum."""
    got = np.full((2, 4), 0.3, F32)
    result = checks.check_sums_to_one(name="result", got=got, dim=-1)
    assert result.status == "wrong_answer"
    assert "does not sum to 1 along dim=-1" in result.message
    assert "sums to 1.2" in result.message


def test_sums_to_one_passes_a_distribution():
    """A proper distribution along dim=0 passes."""
    got = np.full((4, 3), 0.25, F32)
    assert checks.check_sums_to_one(name="result", got=got, dim=0).passed


def test_hull_violation():
    """A value outside the per-coordinate range of v is wrong_answer."""
    v = np.array([[0.0, 1.0], [2.0, 3.0]], F32)
    inside = np.array([[1.0, 2.0]], F32)
    outside = np.array([[1.0, 3.5]], F32)
    assert checks.check_within_hull(name="result", got=inside, v=v).passed
    result = checks.check_within_hull(name="result", got=outside, v=v)
    assert result.status == "wrong_answer"
    assert "outside [1, 3]" in result.message


def test_exact_ints_pass_and_lists_are_accepted():
    """(h, w) as ints passes, as a list too."""
    assert checks.check_int_tuple(name="result", got=(3, 4), expected=(3, 4)).passed
    assert checks.check_int_tuple(name="result", got=[3, 4], expected=(3, 4)).passed


def test_floats_and_bools_are_rejected():
    """3.0 and True are not ints."""
    floats = checks.check_int_tuple(name="result", got=(3.0, 4), expected=(3, 4))
    assert floats.status == "invalid_output"
    assert "item 0 must be a Python int, got float (3.0)" in floats.message
    bools = checks.check_int_tuple(name="result", got=(1, True), expected=(1, 1))
    assert bools.status == "invalid_output"


def test_wrong_values():
    """Different ints are wrong_answer with both tuples in the message."""
    result = checks.check_int_tuple(name="result", got=(3, 5), expected=(3, 4))
    assert result.status == "wrong_answer"
    assert result.message == "result: expected (3, 4), got (3, 5)"


def test_expected_exception_in_chain():
    """A subclass of the expected exception counts (the chain holds the MRO names)."""
    result = checks.check_raises(expected="ValueError", raised="MyError,ValueError,Exception")
    assert result.passed


def test_returning_instead_of_raising():
    """Returning a value where ValueError is expected is wrong_answer."""
    result = checks.check_raises(expected="ValueError", raised=None, got=(0, 3))
    assert result.status == "wrong_answer"
    assert result.message == "expected ValueError to be raised, but the call returned (0, 3)"


def test_other_exception():
    """Another exception class is wrong_answer naming it."""
    result = checks.check_raises(expected="ValueError", raised="ZeroDivisionError,Exception")
    assert result.message == "expected ValueError, but ZeroDivisionError was raised"


def test_partial_credit_names_the_wrong_key():
    """One wrong gradient out of five keeps 4/5 of the score and is named."""
    expected = {key: np.ones(3, F32) for key in ("loss", "dw1", "db1", "dw2", "db2")}
    got = {key: value.copy() for key, value in expected.items()}
    got["db1"] = got["db1"] * 2
    result = checks.check_array_dict(got=got, expected=expected, rtol=1e-4, atol=1e-5)
    assert result.status == "wrong_answer"
    assert result.score == 0.8
    assert result.message.startswith("wrong part: db1 (correct: loss, dw1, dw2, db2).")
    assert "db1: max abs error" in result.message


def test_missing_key():
    """A missing key is invalid_output for that part only."""
    expected = {"a": np.ones(2, F32), "b": np.ones(2, F32)}
    result = checks.check_array_dict(
        got={"a": np.ones(2, F32)}, expected=expected, rtol=1e-4, atol=1e-5
    )
    assert result.status == "invalid_output"
    assert result.score == 0.5
    assert "b: missing from the returned dict" in result.message


def test_not_a_dict():
    """A tuple where a dict is expected is invalid_output."""
    result = checks.check_array_dict(
        got=(1, 2), expected={"a": np.ones(2, F32)}, rtol=1e-4, atol=1e-5
    )
    assert result.status == "invalid_output"
    assert result.score == 0


def test_kind_check_message():
    """An ndarray returned under torch is invalid_output saying a tensor was expected."""
    result = checks.check_kind(name="result", value_kind="ndarray", expected_kind="tensor")
    assert result.status == "invalid_output"
    assert result.message == "result: expected a torch.Tensor, got a numpy.ndarray"


@pytest.mark.parametrize("read_only", [False, True], ids=["writeable", "read-only"])
def test_float32_fast_path_decides_exactly_as_float64_arithmetic(read_only):
    """Float32 results are compared in float32 when every element clears the tolerance with a
    margin; the verdict must be the float64 one, element errors right at the bound included,
    and the same when the bound is kept for a read-only expected value."""
    rng = np.random.default_rng(7)
    rtol, atol = 1e-5, 1e-6
    for trial in range(300):
        expected = (rng.standard_normal(64) * 10.0 ** rng.integers(-4, 4)).astype(F32)
        expected.flags.writeable = not read_only
        bound = atol + rtol * np.abs(expected.astype(np.float64))
        # Errors from well inside to just outside the bound, some landing on it.
        scale = rng.choice([0.5, 0.999999, 1.0, 1.000001, 2.0], size=64)
        got = (expected.astype(np.float64) + rng.choice([-1, 1], 64) * bound * scale).astype(F32)
        if trial % 3 == 0:
            got = expected + (got - expected) * F32(0.1)  # mostly the fast path's passes
        error = np.abs(got.astype(np.float64) - expected.astype(np.float64))
        want = bool((error <= bound).all())
        result = checks.check_values(name="o", got=got, expected=expected, rtol=rtol, atol=atol)
        assert result.passed == want, (trial, error.max(), bound[np.argmax(error - bound)])


def test_float32_fast_path_looks_at_every_block():
    """Compared block by block: an element off in any block, the last and partial one and a
    non-contiguous view's included, fails the fast path; all close passes it."""
    size = 2 * checks._BLOCK + 3
    expected = np.linspace(-3, 3, size, dtype=F32).reshape(-1, 1)
    expected.flags.writeable = False
    for position in (0, checks._BLOCK - 1, checks._BLOCK, size - 1):
        got = expected.copy()
        got[position] += F32(0.01)
        assert not checks.values_clearly_close(got=got, expected=expected, rtol=1e-5, atol=1e-6)
    assert checks.values_clearly_close(got=expected.copy(), expected=expected, rtol=1e-5, atol=1e-6)
    wide = np.repeat(expected, 2, axis=1)
    assert checks.values_clearly_close(got=wide[:, ::2], expected=expected, rtol=1e-5, atol=1e-6)


def test_float32_fast_path_reads_the_bounds_where_a_blocks_floor_is_not_enough():
    """A block whose errors all lie under its smallest bound clears without reading the bounds;
    a larger error is judged against its own element's bound, and a NaN never clears."""
    size = 2 * checks._BLOCK
    expected = np.linspace(1, 1000, size, dtype=F32)
    expected.flags.writeable = False
    tolerance = {"rtol": 1e-4, "atol": 1e-6}
    got = expected.copy()
    got[::7] += F32(1e-5)  # under every floor (about 1e-4 in the first block)
    assert checks.values_clearly_close(got=got, expected=expected, **tolerance)
    got[-1] += F32(0.08)  # over the last block's floor (about 0.05), within its bound of 0.1
    assert checks.values_clearly_close(got=got, expected=expected, **tolerance)
    got[-1] += F32(0.1)
    assert not checks.values_clearly_close(got=got, expected=expected, **tolerance)
    got = expected.copy()
    got[5] = np.nan
    assert not checks.values_clearly_close(got=got, expected=expected, **tolerance)


def test_float32_fast_path_leaves_non_finite_values_to_the_full_check():
    expected = np.array([0.5, -np.inf, 0.25], F32)
    same = checks.check_values(name="o", got=expected.copy(), expected=expected, rtol=0, atol=1e-6)
    assert same.passed
    wrong = checks.check_values(
        name="o", got=np.array([0.5, 0.0, 0.25], F32), expected=expected, rtol=0, atol=1e-6
    )
    assert wrong.status == "wrong_answer"
    nan = np.array([0.5, np.nan, 0.25], F32)
    finite = np.array([0.5, 0.75, 0.25], F32)
    result = checks.check_allclose(name="o", got=nan, expected=finite, rtol=1e-5, atol=1e-6)
    assert result.status == "invalid_output"


def test_float32_fast_path_takes_a_0d_result():
    """A scalar loss is a 0-d float32 array: compared like any other (a ufunc would hand back a
    numpy scalar for it, which cannot be written into)."""
    expected = np.array(0.75, F32)
    assert checks.check_values(
        name="loss", got=np.array(0.75, F32), expected=expected, rtol=1e-5, atol=1e-6
    ).passed
    off = checks.check_values(
        name="loss", got=np.array(0.5, F32), expected=expected, rtol=1e-5, atol=1e-6
    )
    assert off.status == "wrong_answer"


def test_a_kept_bound_follows_the_tolerance_and_is_never_kept_for_a_writeable_value():
    """Bounds are kept only for read-only expected values, per tolerance; a writeable one may
    change between checks and is judged as it is now."""
    expected = np.array([1.0, 2.0, 3.0], F32)
    expected.flags.writeable = False
    got = expected + F32(1e-3)
    assert checks.check_values(name="o", got=got, expected=expected, rtol=1e-2, atol=1e-6).passed
    tight = checks.check_values(name="o", got=got, expected=expected, rtol=1e-5, atol=1e-6)
    assert tight.status == "wrong_answer"
    changing = np.array([1.0, 2.0, 3.0], F32)
    same = changing.copy()
    assert checks.check_values(name="o", got=same, expected=changing, rtol=1e-5, atol=1e-6).passed
    changing += F32(1.0)
    moved = checks.check_values(name="o", got=same, expected=changing, rtol=1e-5, atol=1e-6)
    assert moved.status == "wrong_answer"


def test_a_clearly_close_result_has_the_expected_form():
    """The fast path stands in for the form check only when it clears: a NaN or an infinity in
    the result never clears it, so the form check still reports them."""
    expected = np.array([0.5, 0.75, 0.25], F32)
    expected.flags.writeable = False
    for bad in (np.nan, np.inf, -np.inf):
        got = np.array([0.5, bad, 0.25], F32)
        assert not checks.values_clearly_close(got=got, expected=expected, rtol=1e-5, atol=1e-6)
        result = checks.check_allclose(name="o", got=got, expected=expected, rtol=1e-5, atol=1e-6)
        assert result.status == "invalid_output", bad
    as_float64 = expected.astype(np.float64)
    assert not checks.values_clearly_close(got=as_float64, expected=expected, rtol=1e-5, atol=1e-6)
    result = checks.check_allclose(
        name="o", got=as_float64, expected=expected, rtol=1e-5, atol=1e-6
    )
    assert result.status == "invalid_output" and "float64" in result.message


def test_sums_to_one_in_float32_decides_as_in_float64():
    """Float32 rows are summed in float32 first: rows whose sums lie around the tolerance's
    edge, along either axis, and rows with a NaN or an infinity get the float64 verdict."""
    rng = np.random.default_rng(11)
    tol = 1e-3
    for trial in range(200):
        n = int(rng.integers(2, 3000))
        rows = rng.random((4, n)).astype(np.float64)
        rows /= rows.sum(axis=1, keepdims=True)
        target = 1 + rng.choice([0.0, 0.5, 0.999, 1.0, 1.001, 2.0]) * tol * rng.choice([-1, 1])
        rows[int(rng.integers(4))] *= target
        got = rows.astype(F32)
        if trial % 10 == 0:
            got[0, 0] = rng.choice([np.nan, np.inf])
        axis = int(rng.integers(2))
        got = got if axis == 1 else np.ascontiguousarray(got.T)
        # The float64 rule; a NaN sum is left to the form check, as it always was.
        want = not (np.abs(got.astype(np.float64).sum(axis=axis) - 1) > tol).any()
        result = checks.check_sums_to_one(name="p", got=got, dim=axis, tol=tol)
        assert result.passed == want, (trial, n, target)


def test_sums_to_one_finds_a_negative_entry_beside_a_nan():
    """The negative check reads the minimum first; a NaN there must not hide a negative entry."""
    got = np.array([[0.5, np.nan, -0.25, 0.75]], F32)
    result = checks.check_sums_to_one(name="result", got=got, dim=-1)
    assert result.status == "wrong_answer"
    assert "-0.25" in result.message and "(0, 2)" in result.message


def test_kept_bounds_stay_within_their_byte_budget(monkeypatch):
    """The oldest bounds go first once the budget is spent; a value over it is never kept."""
    kept = checks._KeptBounds(entries={})
    monkeypatch.setattr(checks, "_bounds", kept)
    each = 100 * 4 + 4  # a float32 bound per element, and one floor for its single block
    monkeypatch.setattr(checks, "_BOUNDS_KEPT_BYTES", 3 * each)
    arrays = []
    for _ in range(5):
        expected = np.ones(100, F32)
        expected.flags.writeable = False
        arrays.append(expected)
        assert checks.check_values(
            name="o", got=expected, expected=expected, rtol=0, atol=1e-6
        ).passed
    assert kept.nbytes == 3 * each
    assert [key for key in kept.entries] == [id(a) for a in arrays[2:]]
    large = np.ones(1000, F32)
    large.flags.writeable = False
    assert checks.check_values(name="o", got=large, expected=large, rtol=0, atol=1e-6).passed
    assert id(large) not in kept.entries and kept.nbytes == 3 * each
