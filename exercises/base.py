"""What every exercise package provides, declared as class attributes over `Exercise`.

An exercise is content plus a judge: a statement (Chinese and English Markdown files next to the
module), starter code and a model solution per framework, visible samples, seeded hidden case
generators, a hidden reference computed on the trusted side, an output spec (exercises.specs), a
tolerance, limits, forbidden APIs, a performance test and its typical mistakes
(exercises.mistakes). Nothing here runs student code; grader.grading does that through the sandbox.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import sys
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypedDict

import numpy as np

from exercises import checks
from exercises.checks import CheckResult
from exercises.mistakes import Mistake, MistakeError, mistakes_load
from exercises.specs import Array, Context, Spec

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

    It runs `repeat` times, each repetition on inputs of its own, and every repetition's value is
    checked. The test is too_slow when the total time of the repetitions (measured by the sandbox
    from sending each one's inputs to receiving its whole result) exceeds allowed_slowdown x the
    model solution's total over the same inputs, plus slack_ms per repetition and an allowance
    per MB moved (the sandbox's round trip and transfers, which the reference does not pay), all
    x the instructor's time multiplier.
    """

    name: str
    make: Callable[[np.random.Generator], Inputs]
    repeat: int = 5
    allowed_slowdown: float = 20.0
    slack_ms: float = 50.0
    weight: float = 1.0


@functools.cache
def _parameter_names(function: Callable[..., Any]) -> tuple[str, ...]:
    """A function's parameter names, read once (every check of every case asks)."""
    return tuple(inspect.signature(function).parameters)


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
    # One Inputs per repetition of a performance test, each drawn afresh (so no repetition can
    # reuse another's result); (inputs,) for every other case.
    repetitions: tuple[Inputs, ...] = ()

    @property
    def repeat(self) -> int:
        return len(self.repetitions) or 1

    @property
    def runs(self) -> tuple[Inputs, ...]:
        return self.repetitions or (self.inputs,)


@dataclass(frozen=True)
class Raises:
    """The expected outcome of a call that must raise (the reference raised this class)."""

    exception: str


class SamplePublic(TypedDict):
    name: str
    call: str
    expected: str


def freeze_value(value: Any) -> Any:
    """A read-only copy of plain data, so a cached case or expected value can never be altered
    by accident."""
    if isinstance(value, np.ndarray):
        value = np.array(value, copy=True)
        value.flags.writeable = False
        return value
    if isinstance(value, tuple):
        return tuple(freeze_value(item) for item in value)
    if isinstance(value, list):
        return [freeze_value(item) for item in value]
    if isinstance(value, dict):
        return {key: freeze_value(item) for key, item in value.items()}
    return value


def freeze_inputs(inputs: Inputs) -> Inputs:
    return Inputs(args=freeze_value(tuple(inputs.args)), kwargs=freeze_value(dict(inputs.kwargs)))


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


class ExerciseDefinitionError(TypeError):
    """An exercise package that lacks something every exercise must have."""


# Placeholders a statement may use; the kit fills them from the declarations, so a statement can
# never contradict its own tests.
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class Exercise:
    """Base class. A package declares a subclass: what the exercise is (the class attributes), its
    hidden reference, and its case generators; checking, case building, statements, samples and
    validation come from here. Classes with a `slug` are validated when they are defined."""

    slug: ClassVar[str]
    title_en: ClassVar[str]
    title_zh: ClassVar[str]
    entry_point: ClassVar[str]
    # The content topic (fixtures/topics) whose mastery this exercise counts towards.
    topic: ClassVar[str]
    difficulty: ClassVar[str] = "medium"  # "easy" | "medium" | "hard"
    # Where it stands in the catalogue: CONTRACT §3 and §4 order.
    position: ClassVar[int] = 1000
    # Questions (or distinctive parts of them) of the note cards the exercise comes from; the
    # exercise page links to those cards.
    cards: ClassVar[tuple[str, ...]] = ()
    frameworks: ClassVar[tuple[str, ...]] = ("torch", "numpy")
    points: ClassVar[float] = 10.0
    rtol: ClassVar[float] = 1e-4
    atol: ClassVar[float] = 1e-5
    limits: ClassVar[ExerciseLimits] = ExerciseLimits()
    # Dotted names refused statically and at run time (numpy/scipy routines, torch modules).
    forbidden: ClassVar[tuple[str, ...]] = ()
    # ATen operator families refused at run time whatever the route to them (grader.forbidden).
    forbidden_ops: ClassVar[tuple[str, ...]] = ()
    samples: ClassVar[tuple[Sample, ...]] = ()
    hidden: ClassVar[tuple[HiddenCase, ...]] = ()
    performance: ClassVar[PerformanceTest | None] = None
    output: ClassVar[Spec] = Array()
    # Exceptions that the reference raises on purpose; the expected outcome is then Raises(name).
    expected_exceptions: ClassVar[tuple[type[Exception], ...]] = ()

    MIN_SAMPLES: ClassVar[int] = 2
    MIN_HIDDEN: ClassVar[int] = 8
    MIN_MISTAKES: ClassVar[int] = 3

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "slug" in cls.__dict__:
            exercise_validate(cls)

    def __init__(self) -> None:
        self._cases: dict[tuple[bool, int], tuple[Case, ...]] = {}
        self._solutions: dict[str, Callable[..., Any]] = {}
        self._statements: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<Exercise {self.slug}>"

    # --- content ---------------------------------------------------------------------------

    @classmethod
    def package_path(cls) -> Path:
        return Path(sys.modules[cls.__module__].__file__ or "").parent

    @property
    def package_dir(self) -> Path:
        return self.package_path()

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
        return {language: self.statement_for(language) for language in LANGUAGES}

    @property
    def statement_zh(self) -> str:
        return self.statement_for("zh")

    @property
    def statement_en(self) -> str:
        return self.statement_for("en")

    def statement_for(self, language: str) -> str:
        # Cached per process: filling {{ performance }} draws the performance inputs.
        if language not in self._statements:
            values = self.statement_values()
            self._statements[language] = PLACEHOLDER.sub(
                lambda m: values.get(m[1], m[0]), self._read(f"statement.{language}.md")
            )
        return self._statements[language]

    def statement_values(self) -> dict[str, str]:
        """What `{{ name }}` in a statement becomes."""
        values = {
            "rtol": checks.format_error(self.rtol),
            "atol": checks.format_error(self.atol),
            "time_limit": f"{self.limits.time_per_call_s:g}",
            "memory_mb": str(self.limits.memory_mb),
            "forbidden": ", ".join(f"`{name}`" for name in self.forbidden) or "—",
        }
        if self.performance is not None:
            values["slowdown"] = f"{self.performance.allowed_slowdown:g}"
            inputs = self.performance.make(np.random.default_rng(0))
            values["performance"] = self.describe_shapes(inputs)
        return values

    def describe_shapes(self, inputs: Inputs) -> str:
        """ "`x` (512, 1024)" for each array argument: the sizes a performance test runs at."""
        names = self.argnames()
        named = list(zip(names, inputs.args, strict=False)) + list(inputs.kwargs.items())
        parts = []
        for name, value in named:
            arrays = value if isinstance(value, tuple | list) else (value,)
            shapes = [checks.format_shape(a.shape) for a in arrays if isinstance(a, np.ndarray)]
            if shapes:
                parts.append(f"`{name}` {', '.join(shapes)}")
        return ", ".join(parts)

    @property
    def starter_code(self) -> dict[str, str]:
        return {framework: self._read(f"starter_{framework}.py") for framework in self.frameworks}

    def solution_source(self, *, framework: str) -> str:
        """The model solution (trusted side only): used to time the performance reference."""
        return self._read(f"solution_{framework}.py")

    @functools.cached_property
    def mistakes(self) -> tuple[Mistake, ...]:
        return mistakes_load(self.package_dir / "mistakes")

    def samples_public(self) -> list[SamplePublic]:
        """The visible samples as JSON-serialisable text: name, call and expected output."""
        return [
            SamplePublic(
                name=sample.name,
                call=self.format_call(sample.inputs),
                expected=format_value(self.expected(sample.inputs)),
            )
            for sample in self.samples
        ]

    def argnames(self) -> tuple[str, ...]:
        return _parameter_names(type(self).reference)[1:]  # self left out

    def format_call(self, inputs: Inputs) -> str:
        parts = [
            f"{name}={format_value(value)}"
            for name, value in zip(self.argnames(), inputs.args, strict=False)
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
                    built.append(self._performance_case(self.performance, seed=seed))
            self._cases[key] = tuple(built)
        return self._cases[key]

    def _performance_case(self, perf: PerformanceTest, *, seed: int) -> Case:
        repetitions = tuple(
            freeze_inputs(
                perf.make(
                    np.random.default_rng(self.case_seed(name=f"{perf.name}#{rep}", seed=seed))
                )
            )
            for rep in range(perf.repeat)
        )
        return Case(
            name=perf.name,
            hidden=True,
            inputs=repetitions[0],
            weight=perf.weight,
            performance=perf,
            repetitions=repetitions,
        )

    def case_get(self, *, name: str, seed: int = 0) -> Case:
        for case in self.cases(seed=seed):
            if case.name == name:
                return case
        raise KeyError(name)

    # --- judging ---------------------------------------------------------------------------

    def reference(self, *args: Any, **kwargs: Any) -> Any:
        """The hidden reference: float64 inside where sensible, result in the contract dtype."""
        raise NotImplementedError

    # An independent way to the same answer, for tests only: PyTorch's own routine (in float64
    # where float32 library code is itself inaccurate) or a brute force. None: no oracle.
    oracle: ClassVar[Callable[..., Any] | None] = None

    def expected(self, inputs: Inputs) -> Any:
        """The reference's answer for these inputs, or Raises(name) when it must raise."""
        from exercises.frameworks import to_plain

        try:
            value = self.reference(*copy_value(inputs.args), **copy_value(dict(inputs.kwargs)))
        except self.expected_exceptions as exc:
            return Raises(type(exc).__name__)
        # A numpy scalar (a reduction's result) is the 0-d array the contract means.
        return to_plain(value)

    def context(self, inputs: Inputs) -> Context:
        return Context(inputs=inputs, rtol=self.rtol, atol=self.atol, argnames=self.argnames())

    def check(
        self,
        *,
        case: Case | None = None,
        framework: str,
        got: Any,
        value_kind: str,
        expected: Any,
        inputs: Inputs | None = None,
    ) -> CheckResult:
        """Judge a returned value (not an exception) against the expected one, by the output
        spec. `inputs` are the call's (a performance repetition's own), default the case's."""
        if isinstance(expected, Raises):
            return judge_raised(expected=expected, raised=None, got=got)
        if self.output.has_arrays() and value_kind and framework in ("torch", "numpy"):
            kind = checks.check_kind(
                name="result",
                value_kind=value_kind,
                expected_kind="tensor" if framework == "torch" else "ndarray",
            )
            if not kind.passed:
                return kind
        return self.output.check(
            name="result",
            got=got,
            expected=expected,
            context=self.context(inputs if inputs is not None else case.inputs),  # type: ignore[union-attr]
        )

    def check_raised(
        self, *, case: Case, exception: str, message: str, expected: Any
    ) -> CheckResult | None:
        """Judge a call that raised; None when raising was not expected (a runtime error)."""
        if isinstance(expected, Raises):
            return judge_raised(expected=expected, raised=exception)
        return None

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


def judge_raised(*, expected: Raises, raised: str | None, got: Any = None) -> CheckResult:
    """The one place a must-raise case is judged: `raised` is the comma-joined class chain of
    what was raised, or None when the call returned `got`."""
    return checks.check_raises(expected=expected.exception, raised=raised, got=got)


# --- validation ---------------------------------------------------------------------------------


def exercise_validate(cls: type[Exercise]) -> None:
    """Everything an exercise must have, checked when its class is defined; one error lists every
    problem, so an author fixes them in one pass."""
    problems: list[str] = []
    for attribute in ("title_en", "title_zh", "entry_point", "topic"):
        if not isinstance(getattr(cls, attribute, None), str) or not getattr(cls, attribute):
            problems.append(f"no {attribute}")
    if cls.reference is Exercise.reference:
        problems.append("no reference()")
    package = cls.package_path()
    for language in LANGUAGES:
        path = package / f"statement.{language}.md"
        if not path.is_file() or not path.read_text(encoding="utf-8").strip():
            problems.append(f"no statement.{language}.md")
            continue
        unknown = {
            m[1]
            for m in PLACEHOLDER.finditer(path.read_text(encoding="utf-8"))
            if m[1] not in _PLACEHOLDER_NAMES
        }
        if unknown:
            problems.append(f"statement.{language}.md has unknown placeholders {sorted(unknown)}")
    entry = getattr(cls, "entry_point", "")
    for framework in cls.frameworks:
        for kind in ("starter", "solution"):
            path = package / f"{kind}_{framework}.py"
            if not path.is_file():
                problems.append(f"no {kind}_{framework}.py")
            elif entry and not _defines(path, entry):
                problems.append(f"{kind}_{framework}.py does not define {entry}()")
    names = [s.name for s in cls.samples] + [h.name for h in cls.hidden]
    names += [cls.performance.name] if cls.performance else []
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"case names are not unique: {duplicates}")
    if len(cls.samples) < cls.MIN_SAMPLES:
        problems.append(f"{len(cls.samples)} visible samples (at least {cls.MIN_SAMPLES})")
    if len(cls.hidden) < cls.MIN_HIDDEN:
        problems.append(f"{len(cls.hidden)} hidden tests (at least {cls.MIN_HIDDEN})")
    if not cls.forbidden and not cls.forbidden_ops:
        problems.append("nothing forbidden: name the library routine that answers it in one call")
    try:
        mistakes = mistakes_load(package / "mistakes")
    except MistakeError as exc:
        problems.append(str(exc))
        mistakes = None
    if mistakes is not None and len(mistakes) < cls.MIN_MISTAKES:
        problems.append(
            f"{len(mistakes)} typical mistakes in mistakes/ (at least {cls.MIN_MISTAKES})"
        )
    for mistake in mistakes or ():
        if mistake.framework not in cls.frameworks:
            problems.append(f"mistake {mistake.name}: unknown framework {mistake.framework!r}")
        if missing := sorted(set(mistake.expect) - set(names)):
            problems.append(f"mistake {mistake.name}: no tests named {missing}")
    if problems:
        where = f"{cls.__module__}.{cls.__name__}"
        raise ExerciseDefinitionError(f"{where}: " + "; ".join(problems))


_PLACEHOLDER_NAMES = frozenset(
    {"rtol", "atol", "time_limit", "memory_mb", "forbidden", "slowdown", "performance"}
)


def _defines(path: Path, name: str) -> bool:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
        for node in tree.body
    )
