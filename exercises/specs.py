"""Output specs: an exercise declares what its entry point returns, and the spec judges it.

    output = Array(properties=(sums_to_one("dim"),))          # one float32 array
    output = Tuple(Array(), Array(), names=("h_next", "c_next"))  # partial credit per item
    output = Dict({"loss": Array(dtype="float"), "dw1": Array()})  # partial credit per key
    output = IntTuple()                                       # exact Python ints

Form comes first (type, shape, dtype, finiteness: invalid_output), then values (wrong_answer),
with the exercise's tolerance unless the spec sets its own. A spec never quotes more of the
expected value than one number, so its messages are safe on visible tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from exercises import checks
from exercises.checks import CheckResult
from grader.messages import message

if TYPE_CHECKING:
    from exercises.base import Inputs


@dataclass(frozen=True)
class Context:
    """What a spec may consult besides the two values: the call's inputs and the tolerance."""

    inputs: Inputs
    rtol: float
    atol: float
    argnames: tuple[str, ...] = ()

    def argument(self, name: str, default: Any = None) -> Any:
        """An argument of the call by parameter name, positional or keyword."""
        if name in self.inputs.kwargs:
            return self.inputs.kwargs[name]
        if name in self.argnames:
            index = self.argnames.index(name)
            if index < len(self.inputs.args):
                return self.inputs.args[index]
        return default


# A property check: (name, returned array as float64-able ndarray, context) -> CheckResult.
Property = Callable[[str, np.ndarray, Context], CheckResult]


@dataclass(frozen=True)
class ArrayPair:
    """A returned array and the expected one at the same place in the value, with the tolerance
    the spec compares them with (None: the exercise's)."""

    name: str
    got: np.ndarray
    expected: np.ndarray
    rtol: float | None = None
    atol: float | None = None


class Spec:
    """Base class: `check` judges one returned value against the reference's."""

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        raise NotImplementedError

    def has_arrays(self) -> bool:
        """Whether the value holds arrays (then under torch they must be tensors)."""
        return False

    def parts(self) -> tuple[str, ...]:
        """Names of separately credited parts (empty for a single value)."""
        return ()

    def arrays(self, *, name: str, got: Any, expected: Any) -> list[ArrayPair]:
        """The arrays of a returned value beside the expected ones, where both are arrays of the
        same shape (what a picture of where they differ can show); none for other values."""
        return []


@dataclass(frozen=True)
class Array(Spec):
    """One array. dtype="exact": the expected dtype; "float": any floating dtype (a scalar loss
    in float64 is harmless). A floating array is compared with the tolerance; a bool or integer
    array exactly. A size-1 result is accepted where a 0-d one is expected."""

    dtype: str = "exact"
    rtol: float | None = None
    atol: float | None = None
    properties: tuple[Property, ...] = ()

    def has_arrays(self) -> bool:
        return True

    def arrays(self, *, name: str, got: Any, expected: Any) -> list[ArrayPair]:
        if isinstance(got, np.generic):
            got = np.asarray(got)
        if not isinstance(got, np.ndarray) or not isinstance(expected, np.ndarray | np.generic):
            return []
        expected = np.asarray(expected)
        if expected.ndim == 0 and got.size == 1:
            got = got.reshape(())
        if got.shape != expected.shape or got.dtype.kind not in "biuf":
            return []
        return [ArrayPair(name=name, got=got, expected=expected, rtol=self.rtol, atol=self.atol)]

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        expected = np.asarray(expected)
        if isinstance(got, np.ndarray) and expected.ndim == 0 and got.size == 1:
            got = got.reshape(())
        if expected.dtype.kind in "biu":
            return checks.check_exact_array(name=name, got=got, expected=expected)
        rtol = context.rtol if self.rtol is None else self.rtol
        atol = context.atol if self.atol is None else self.atol
        # Clearly close implies the right form, so the common case skips a pass over the
        # result; the properties still run first, as their messages say more.
        close = checks.values_clearly_close(got=got, expected=expected, rtol=rtol, atol=atol)
        if not close:
            form = checks.check_array_form(
                name=name, got=got, expected=expected, dtype=self.dtype == "exact"
            )
            if not form.passed:
                return form
        values = np.asarray(got)
        for prop in self.properties:
            result = prop(name, values, context)
            if not result.passed:
                return result
        if close:
            return checks.passed()
        return checks.check_values_precisely(
            name=name, got=values, expected=expected, rtol=rtol, atol=atol
        )


@dataclass(frozen=True)
class Optional(Spec):
    """`inner`, or None where the reference returns None (SGD's buffer without momentum)."""

    inner: Spec

    def has_arrays(self) -> bool:
        return self.inner.has_arrays()

    def arrays(self, *, name: str, got: Any, expected: Any) -> list[ArrayPair]:
        if got is None or expected is None:
            return []
        return self.inner.arrays(name=name, got=got, expected=expected)

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        if expected is None:
            if got is None:
                return checks.passed()
            return checks.invalid(message("check.expected_none", name=name, got=checks.quote(got)))
        if got is None:
            return checks.invalid(message("check.got_none", name=name))
        return self.inner.check(name=name, got=got, expected=expected, context=context)


@dataclass(frozen=True)
class Tuple(Spec):
    """A fixed-length tuple; each item judged by its spec, each an equal share of the points."""

    items: tuple[Spec, ...]
    names: tuple[str, ...]

    def __init__(self, *items: Spec, names: tuple[str, ...]) -> None:
        if len(items) != len(names):
            raise ValueError("Tuple: one name per item")
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "names", names)

    def has_arrays(self) -> bool:
        return any(item.has_arrays() for item in self.items)

    def parts(self) -> tuple[str, ...]:
        return self.names

    def arrays(self, *, name: str, got: Any, expected: Any) -> list[ArrayPair]:
        if not isinstance(got, tuple | list) or len(got) != len(self.items):
            return []
        return [
            pair
            for part, spec, value, reference in zip(
                self.names, self.items, got, expected, strict=True
            )
            for pair in spec.arrays(name=part, got=value, expected=reference)
        ]

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        label = f"({', '.join(self.names)})"
        if not isinstance(got, tuple | list):
            return checks.invalid(message("check.tuple_type", label=label, got=type(got).__name__))
        if len(got) != len(self.items):
            return checks.invalid(
                message("check.tuple_length", label=label, count=len(self.items), got=len(got))
            )
        return checks.check_parts(
            results={
                part: spec.check(name=part, got=value, expected=reference, context=context)
                for part, spec, value, reference in zip(
                    self.names, self.items, got, expected, strict=True
                )
            }
        )


@dataclass(frozen=True)
class Sequence(Spec):
    """A tuple (or list) of as many values as the reference returns, each judged by `item`, each
    an equal share of the points (clip_grad_norm's gradients)."""

    item: Spec

    def has_arrays(self) -> bool:
        return self.item.has_arrays()

    def arrays(self, *, name: str, got: Any, expected: Any) -> list[ArrayPair]:
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return []
        return [
            pair
            for index, (value, reference) in enumerate(zip(got, expected, strict=True))
            for pair in self.item.arrays(name=f"{name}[{index}]", got=value, expected=reference)
        ]

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        if not isinstance(got, tuple | list):
            return checks.invalid(message("check.sequence_type", name=name, got=type(got).__name__))
        if len(got) != len(expected):
            return checks.invalid(
                message("check.sequence_length", name=name, count=len(expected), got=len(got))
            )
        return checks.check_parts(
            results={
                f"{name}[{index}]": self.item.check(
                    name=f"{name}[{index}]", got=value, expected=reference, context=context
                )
                for index, (value, reference) in enumerate(zip(got, expected, strict=True))
            }
        )


@dataclass(frozen=True)
class Dict(Spec):
    """A dict with exactly these keys' values judged (extra keys are ignored), partial credit."""

    items: Mapping[str, Spec] = field(default_factory=dict)

    def has_arrays(self) -> bool:
        return any(spec.has_arrays() for spec in self.items.values())

    def parts(self) -> tuple[str, ...]:
        return tuple(self.items)

    def arrays(self, *, name: str, got: Any, expected: Any) -> list[ArrayPair]:
        if not isinstance(got, Mapping):
            return []
        return [
            pair
            for key, spec in self.items.items()
            if key in got
            for pair in spec.arrays(name=key, got=got[key], expected=expected[key])
        ]

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        if not isinstance(got, Mapping):
            return checks.invalid(
                message("check.dict_type", keys=", ".join(self.items), got=type(got).__name__)
            )
        results: dict[str, CheckResult] = {}
        for key, spec in self.items.items():
            if key not in got:
                results[key] = checks.invalid(message("check.missing_key", name=key))
            else:
                results[key] = spec.check(
                    name=key, got=got[key], expected=expected[key], context=context
                )
        return checks.check_parts(results=results)


@dataclass(frozen=True)
class IntTuple(Spec):
    """An exact tuple of Python ints (a list is accepted: plain data keeps no difference)."""

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        return checks.check_int_tuple(name=name, got=got, expected=tuple(expected))


@dataclass(frozen=True)
class Int(Spec):
    """One exact Python int."""

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        if isinstance(got, bool) or not isinstance(got, int):
            return checks.invalid(message("check.int_type", name=name, got=type(got).__name__))
        if got != expected:
            return checks.wrong(
                message("check.expected_got", name=name, expected=repr(expected), got=repr(got))
            )
        return checks.passed()


@dataclass(frozen=True)
class IntList(Spec):
    """An exact list of Python ints (a tuple is accepted)."""

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        if not isinstance(got, list | tuple) or any(
            isinstance(item, bool) or not isinstance(item, int) for item in got
        ):
            return checks.invalid(message("check.int_list_type", name=name, got=checks.quote(got)))
        if list(got) != list(expected):
            return checks.wrong(
                message(
                    "check.expected_got",
                    name=name,
                    expected=repr(list(expected)),
                    got=checks.quote(list(got)),
                )
            )
        return checks.passed()


@dataclass(frozen=True)
class Float(Spec):
    """One Python float (an int or a 0-d array is accepted), compared with the tolerance."""

    rtol: float | None = None
    atol: float | None = None

    def check(self, *, name: str, got: Any, expected: Any, context: Context) -> CheckResult:
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.reshape(()).item()
        if isinstance(got, bool) or not isinstance(got, float | int):
            return checks.invalid(message("check.float_type", name=name, got=type(got).__name__))
        value, reference = float(got), float(expected)
        if math.isnan(value) and not math.isnan(reference):
            return checks.invalid(message("check.float_nan", name=name))
        rtol = context.rtol if self.rtol is None else self.rtol
        atol = context.atol if self.atol is None else self.atol
        if value == reference or abs(value - reference) <= atol + rtol * abs(reference):
            return checks.passed()
        return checks.wrong(
            message(
                "check.expected_got",
                name=name,
                expected=checks.format_number(reference),
                got=checks.format_number(value),
            )
        )


# --- properties ---------------------------------------------------------------------------------


def sums_to_one(dim_argument: str = "dim", default: int = -1) -> Property:
    """Every slice along the call's `dim` argument is a probability distribution."""

    def check(name: str, got: np.ndarray, context: Context) -> CheckResult:
        dim = context.argument(dim_argument, default)
        return checks.check_sums_to_one(name=name, got=got, dim=int(dim))

    return check


def within_hull(argument: str) -> Property:
    """Each output coordinate lies between the smallest and largest of `argument`'s rows (an
    attention output is a weighted average of the values)."""

    def check(name: str, got: np.ndarray, context: Context) -> CheckResult:
        return checks.check_within_hull(name=name, got=got, v=context.argument(argument))

    return check


def non_negative(tol: float = 1e-6) -> Property:
    """No entry below -tol (a divergence, a loss, a variance)."""

    def check(name: str, got: np.ndarray, context: Context) -> CheckResult:
        values = np.asarray(got, dtype=np.float64)
        negative = values < -tol
        if not negative.any():
            return checks.passed()
        index = np.unravel_index(int(np.argmax(negative)), values.shape)
        return checks.wrong(
            message(
                "check.negative",
                name=name,
                value=checks.format_number(values[index]),
                index=checks.format_index(index),
            )
        )

    return check
