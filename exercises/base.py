"""What every exercise package provides, declared as class attributes over `Exercise`.

An exercise is content plus a judge: a statement (Chinese and English Markdown files next to the
module), starter code per framework, visible samples, seeded hidden case generators, a hidden
reference implementation computed on the trusted side, a tolerance, limits, forbidden APIs and a
performance test. Nothing here runs student code; grader.grading does that through the sandbox.
"""

from __future__ import annotations

import inspect
import sys
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypedDict

import numpy as np

from exercises import checks
from exercises.checks import CheckResult

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Inputs:
    """The arguments of one call of the entry point, as plain data (ndarrays, numbers, tuples)."""

    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """A visible test: its inputs and expected output may be shown to students."""

    name: str
    inputs: Inputs


@dataclass(frozen=True)
class HiddenCase:
    """A hidden test: `make` builds the inputs from a seeded generator (same seed, same inputs)."""

    name: str
    make: Callable[[np.random.Generator], Inputs]
    weight: float = 1.0


@dataclass(frozen=True)
class PerformanceTest:
    """A large input, timed against the model solution in the same framework on the same device.

    The test is too_slow when the student's median time exceeds
    allowed_slowdown x reference time (x the instructor's time multiplier) + slack_ms, where the
    slack absorbs the sandbox's per-call round trip, which the reference does not pay.
    """

    name: str
    make: Callable[[np.random.Generator], Inputs]
    repeat: int = 5
    allowed_slowdown: float = 20.0
    slack_ms: float = 50.0
    weight: float = 1.0


@dataclass(frozen=True)
class ExerciseLimits:
    """Per-exercise limits; grader.grading turns them into sandbox limits (scaled by the
    instructor's time multiplier)."""

    # Hidden tests are small: a correct call takes milliseconds. A tight per-call limit also
    # bounds how long an element-by-element loop can hold a worker on the performance test.
    time_per_call_s: float = 1.0
    time_total_s: float = 10.0
    # New memory only: the runtime's pages are shared with the fork server and charged there.
    # A correct solution needs a few MB; a low limit also lets a memory bomb reach it well within
    # the time limit on a busy host (1 GB took over a second to fill under load).
    memory_mb: int = 512


@dataclass(frozen=True)
class Case:
    """One test as graded: visible sample, hidden case or performance test, with its inputs."""

    name: str
    hidden: bool
    inputs: Inputs
    weight: float = 1.0
    performance: PerformanceTest | None = None

    @property
    def repeat(self) -> int:
        return self.performance.repeat if self.performance else 1


@dataclass(frozen=True)
class Raises:
    """The expected outcome of a call that must raise (the reference raised this class)."""

    exception: str


class SamplePublic(TypedDict):
    name: str
    call: str
    expected: str


def _freeze(value: Any) -> Any:
    """Make generated arrays read-only so a cached case can never be altered by accident."""
    if isinstance(value, np.ndarray):
        value = np.array(value, copy=True)
        value.flags.writeable = False
        return value
    if isinstance(value, tuple):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, list):
        return [_freeze(item) for item in value]
    if isinstance(value, dict):
        return {key: _freeze(item) for key, item in value.items()}
    return value


def freeze_inputs(inputs: Inputs) -> Inputs:
    return Inputs(args=_freeze(tuple(inputs.args)), kwargs=_freeze(dict(inputs.kwargs)))


def copy_value(value: Any) -> Any:
    """A writable deep copy of plain data (what the student's function would receive)."""
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    if isinstance(value, tuple):
        return tuple(copy_value(item) for item in value)
    if isinstance(value, list):
        return [copy_value(item) for item in value]
    if isinstance(value, dict):
        return {key: copy_value(item) for key, item in value.items()}
    return value


def format_value(value: Any) -> str:
    """Plain data as short readable text for sample descriptions."""
    if isinstance(value, Raises):
        return f"raises {value.exception}"
    if isinstance(value, np.ndarray):
        if value.dtype == np.bool_:
            return repr(value.tolist())
        if np.issubdtype(value.dtype, np.integer):
            return repr(value.tolist())
        return _format_float_list(value.astype(np.float64).tolist())
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return repr(value)
    if isinstance(value, float):
        return checks.format_number(value)
    if isinstance(value, tuple):
        inner = ", ".join(format_value(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{key!r}: {format_value(item)}" for key, item in value.items()) + "}"
        )
    return repr(value)


def _format_float_list(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_format_float_list(item) for item in value) + "]"
    value = float(value)
    if np.isfinite(value) and value == int(value) and abs(value) < 1e6:
        return f"{int(value)}.0"
    return checks.format_number(value)


class Exercise:
    """Base class: subclasses set the class attributes and implement `reference` and `check`."""

    slug: ClassVar[str]
    title_en: ClassVar[str]
    title_zh: ClassVar[str]
    entry_point: ClassVar[str]
    frameworks: ClassVar[tuple[str, ...]] = ("torch", "numpy")
    points: ClassVar[float] = 10.0
    rtol: ClassVar[float] = 1e-4
    atol: ClassVar[float] = 1e-5
    limits: ClassVar[ExerciseLimits] = ExerciseLimits()
    forbidden: ClassVar[tuple[str, ...]] = ()
    samples: ClassVar[tuple[Sample, ...]] = ()
    hidden: ClassVar[tuple[HiddenCase, ...]] = ()
    performance: ClassVar[PerformanceTest | None] = None
    # Exceptions that the reference raises on purpose; the expected outcome is then Raises(name).
    expected_exceptions: ClassVar[tuple[type[Exception], ...]] = ()

    def __init__(self) -> None:
        self._cases: dict[tuple[bool, int], tuple[Case, ...]] = {}
        self._solutions: dict[str, Callable[..., Any]] = {}

    def __repr__(self) -> str:
        return f"<Exercise {self.slug}>"

    # --- content ---------------------------------------------------------------------------

    @property
    def package_dir(self) -> Path:
        return Path(sys.modules[type(self).__module__].__file__ or "").parent

    def _read(self, filename: str) -> str:
        return (self.package_dir / filename).read_text(encoding="utf-8")

    @property
    def max_score(self) -> float:
        return float(self.points)

    @property
    def title(self) -> dict[str, str]:
        return {"zh": self.title_zh, "en": self.title_en}

    @property
    def statement(self) -> dict[str, str]:
        return {language: self._read(f"statement.{language}.md") for language in LANGUAGES}

    @property
    def statement_zh(self) -> str:
        return self._read("statement.zh.md")

    @property
    def statement_en(self) -> str:
        return self._read("statement.en.md")

    @property
    def starter_code(self) -> dict[str, str]:
        return {framework: self._read(f"starter_{framework}.py") for framework in self.frameworks}

    def solution_source(self, *, framework: str) -> str:
        """The model solution (trusted side only): used to time the performance reference."""
        return self._read(f"solution_{framework}.py")

    def samples_public(self) -> list[SamplePublic]:
        """The visible samples as JSON-serialisable text: name, call and expected output."""
        rows: list[SamplePublic] = []
        for sample in self.samples:
            rows.append(
                SamplePublic(
                    name=sample.name,
                    call=self.format_call(sample.inputs),
                    expected=format_value(self.expected(sample.inputs)),
                )
            )
        return rows

    def format_call(self, inputs: Inputs) -> str:
        names = list(inspect.signature(self.reference).parameters)
        parts = [
            f"{name}={format_value(value)}" for name, value in zip(names, inputs.args, strict=False)
        ]
        parts += [f"{key}={format_value(value)}" for key, value in inputs.kwargs.items()]
        return f"{self.entry_point}({', '.join(parts)})"

    # --- cases -----------------------------------------------------------------------------

    def case_seed(self, *, name: str, seed: int) -> int:
        return zlib.crc32(f"{self.slug}/{name}/{seed}".encode())

    def cases(self, *, samples_only: bool = False, seed: int = 0) -> tuple[Case, ...]:
        """Samples, then hidden cases, then the performance test; deterministic per seed.

        Inputs are framework-independent plain data; the sandbox converts ndarrays to tensors
        under torch. Cached: generating and freezing the arrays happens once per process.
        """
        key = (samples_only, seed)
        if key not in self._cases:
            built = [
                Case(name=sample.name, hidden=False, inputs=freeze_inputs(sample.inputs))
                for sample in self.samples
            ]
            if not samples_only:
                for hidden in self.hidden:
                    rng = np.random.default_rng(self.case_seed(name=hidden.name, seed=seed))
                    built.append(
                        Case(
                            name=hidden.name,
                            hidden=True,
                            inputs=freeze_inputs(hidden.make(rng)),
                            weight=hidden.weight,
                        )
                    )
                if self.performance is not None:
                    perf = self.performance
                    rng = np.random.default_rng(self.case_seed(name=perf.name, seed=seed))
                    built.append(
                        Case(
                            name=perf.name,
                            hidden=True,
                            inputs=freeze_inputs(perf.make(rng)),
                            weight=perf.weight,
                            performance=perf,
                        )
                    )
            names = [case.name for case in built]
            if len(set(names)) != len(names):
                raise ValueError(f"{self.slug}: test names must be unique: {names}")
            self._cases[key] = tuple(built)
        return self._cases[key]

    def case_get(self, *, name: str, seed: int = 0) -> Case:
        for case in self.cases(seed=seed):
            if case.name == name:
                return case
        raise KeyError(name)

    # --- judging ---------------------------------------------------------------------------

    def reference(self, *args: Any, **kwargs: Any) -> Any:
        """The hidden reference: float64 inside where sensible, result in the contract dtype."""
        raise NotImplementedError

    def expected(self, inputs: Inputs) -> Any:
        """The reference's answer for these inputs, or Raises(name) when it must raise."""
        try:
            return self.reference(*copy_value(inputs.args), **copy_value(dict(inputs.kwargs)))
        except self.expected_exceptions as exc:
            return Raises(type(exc).__name__)

    def check(
        self, *, case: Case, framework: str, got: Any, value_kind: str, expected: Any
    ) -> CheckResult:
        """Judge a returned value (not an exception) against the expected one."""
        raise NotImplementedError

    def check_raised(
        self, *, case: Case, exception: str, message: str, expected: Any
    ) -> CheckResult | None:
        """Judge a call that raised; None when raising was not expected (a runtime error)."""
        if isinstance(expected, Raises):
            return checks.check_raises(expected=expected.exception, raised=exception)
        return None

    def array_kind(self, *, framework: str) -> str:
        return "tensor" if framework == "torch" else "ndarray"

    def check_kind(self, *, framework: str, value_kind: str, name: str) -> CheckResult:
        """Under torch only tensors come back, under numpy only ndarrays. value_kind is the
        sandbox's summary of the whole returned value ("ndarray" when an ndarray is anywhere in
        it, else "tensor" when a tensor is, else "python"); empty means not known."""
        if not value_kind or framework not in ("torch", "numpy"):
            return checks.passed()
        return checks.check_kind(
            name=name, value_kind=value_kind, expected_kind=self.array_kind(framework=framework)
        )

    def solution(self, *, framework: str) -> Callable[..., Any]:
        """The model solution's entry point, loaded on the trusted side (for timing)."""
        if framework not in self._solutions:
            namespace: dict[str, Any] = {"__name__": f"solution_{self.slug}_{framework}"}
            filename = self.package_dir / f"solution_{framework}.py"
            exec(
                compile(self.solution_source(framework=framework), str(filename), "exec"), namespace
            )
            self._solutions[framework] = namespace[self.entry_point]
        return self._solutions[framework]


class ArrayExercise(Exercise):
    """An exercise whose entry point returns one float32 array (tensor under torch)."""

    output_name: ClassVar[str] = "result"

    def check(
        self, *, case: Case, framework: str, got: Any, value_kind: str, expected: Any
    ) -> CheckResult:
        kind = self.check_kind(framework=framework, value_kind=value_kind, name=self.output_name)
        if not kind.passed:
            return kind
        form = checks.check_array_form(name=self.output_name, got=got, expected=expected)
        if not form.passed:
            return form
        for result in self.check_properties(case=case, got=np.asarray(got)):
            if not result.passed:
                return result
        return checks.check_values(
            name=self.output_name, got=got, expected=expected, rtol=self.rtol, atol=self.atol
        )

    def check_properties(self, *, case: Case, got: np.ndarray) -> list[CheckResult]:
        """Extra properties that give a clearer message than an elementwise error."""
        return []
