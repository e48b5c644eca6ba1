"""The authoring kit itself: validation at import, the output specs, statements filled from the
declarations, and discovery."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from exercises import specs
from exercises.base import ExerciseDefinitionError, Inputs
from exercises.registry import exercise_classes, exercise_get

F32 = np.float32


def _context(**kwargs) -> specs.Context:
    return specs.Context(inputs=Inputs(kwargs=kwargs), rtol=1e-4, atol=1e-5)


def _package(tmp_path: Path, name: str, body: str, files: dict[str, str]) -> Path:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(body), encoding="utf-8")
    for filename, text in files.items():
        path = package / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return package


INCOMPLETE = """
    from exercises.base import Exercise, HiddenCase, Inputs, Sample

    class Broken(Exercise):
        slug = "broken"
        title_en = "Broken"
        entry_point = "f"
        samples = (Sample("same", Inputs()), Sample("same", Inputs()))
        hidden = (HiddenCase("one", lambda rng: Inputs()),)

        def reference(self, x):
            return x
"""


def test_an_incomplete_package_fails_at_import_naming_everything_missing(tmp_path, monkeypatch):
    """A class lacking a Chinese title, a topic, statements, starters, solutions, unique case
    names, enough hidden tests, forbidden APIs and three mistakes fails when it is defined, with
    one message that lists each problem."""
    _package(tmp_path, "kit_broken_pkg", INCOMPLETE, {"statement.en.md": "# Broken\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ExerciseDefinitionError) as raised:
        importlib.import_module("kit_broken_pkg")
    message = str(raised.value)
    for problem in (
        "no title_zh",
        "no topic",
        "no statement.zh.md",
        "no starter_torch.py",
        "no solution_numpy.py",
        "case names are not unique: ['same']",
        "1 hidden tests (at least 8)",
        "nothing forbidden",
        "0 typical mistakes in mistakes/ (at least 3)",
    ):
        assert problem in message, problem
    sys.modules.pop("kit_broken_pkg", None)


def test_a_malformed_mistake_declaration_is_named(tmp_path, monkeypatch):
    """A mistake file without a literal MISTAKE dict, or with an unknown status, fails the
    package with the file named."""
    body = INCOMPLETE.replace('samples = (Sample("same", Inputs()), Sample("same", Inputs()))', "")
    _package(
        tmp_path,
        "kit_bad_mistake_pkg",
        body,
        {
            "mistakes/no_declaration.py": "def f(x):\n    return x\n",
            "mistakes/bad_status.py": (
                'MISTAKE = {"framework": "numpy", "expect": {"one": "slow"}, '
                '"diagnosis": {"en": "e", "zh": "z"}}\n'
            ),
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ExerciseDefinitionError) as raised:
        importlib.import_module("kit_bad_mistake_pkg")
    assert "bad_status.py" in str(raised.value) or "no_declaration.py" in str(raised.value)
    sys.modules.pop("kit_bad_mistake_pkg", None)


def test_discovery_finds_every_package_once():
    """Every package under exercises/ is discovered without a registry edit, once."""
    exercises_dir = exercise_get("softmax").package_dir.parent
    packages = {path.parent.name for path in exercises_dir.glob("*/__init__.py")}
    classes = exercise_classes()
    assert {Path(sys.modules[cls.__module__].__file__).parent.name for cls in classes} == packages
    assert exercises_dir.name == "exercises"


def test_array_spec_checks_form_before_values():
    """Shape, dtype and NaN are invalid_output; values outside the tolerance wrong_answer; a
    bool or integer array is compared exactly."""
    spec = specs.Array()
    expected = np.array([[0.5, 0.5]], dtype=F32)
    shape = spec.check(name="y", got=np.zeros(2, F32), expected=expected, context=_context())
    assert (shape.status, shape.message) == ("invalid_output", "y: expected shape (1, 2), got (2,)")
    dtype = spec.check(
        name="y", got=expected.astype(np.float64), expected=expected, context=_context()
    )
    assert dtype.message == "y: expected dtype float32, got float64"
    nan = spec.check(
        name="y", got=np.array([[np.nan, 1]], F32), expected=expected, context=_context()
    )
    assert nan.status == "invalid_output" and "first NaN" in nan.message
    off = spec.check(
        name="y", got=np.array([[0.6, 0.4]], F32), expected=expected, context=_context()
    )
    assert off.status == "wrong_answer" and off.message.startswith("y: max abs error 1.0e-1")
    exact = spec.check(
        name="m", got=np.array([True, True]), expected=np.array([True, False]), context=_context()
    )
    assert (
        exact.status == "wrong_answer" and "at index (1,) expected False, got True" in exact.message
    )


def test_tuple_and_dict_specs_give_partial_credit_per_part():
    """One wrong part of five earns 4/5 and the message names it and the correct ones."""
    array = np.ones(3, F32)
    spec = specs.Dict({key: specs.Array() for key in ("a", "b", "c", "d", "e")})
    got = {key: array for key in "abcde"} | {"b": array * 2}
    result = spec.check(
        name="result", got=got, expected={k: array for k in "abcde"}, context=_context()
    )
    assert result.status == "wrong_answer"
    assert result.score == pytest.approx(0.8)
    assert result.message.startswith("wrong part: b (correct: a, c, d, e).")
    pair = specs.Tuple(specs.Array(), specs.Array(), names=("h", "c"))
    single = pair.check(name="result", got=array, expected=(array, array), context=_context())
    assert single.message == "expected a tuple (h, c), got ndarray"


def test_optional_sequence_float_and_int_list_specs():
    """None where the reference returns None; a sequence as long as the reference's; floats
    within the tolerance; exact int lists."""
    optional = specs.Optional(specs.Array())
    assert optional.check(name="buf", got=None, expected=None, context=_context()).passed
    assert (
        optional.check(name="buf", got=np.ones(2, F32), expected=None, context=_context()).status
        == "invalid_output"
    )
    sequence = specs.Sequence(specs.Array())
    short = sequence.check(
        name="grads", got=(np.ones(2, F32),), expected=(np.ones(2, F32),) * 2, context=_context()
    )
    assert short.message == "grads: expected a tuple of 2 items, got 1 items"
    assert specs.Float().check(name="s", got=-1.00001, expected=-1.0, context=_context()).passed
    assert not specs.Float().check(name="s", got=-1.1, expected=-1.0, context=_context()).passed
    assert specs.IntList().check(name="t", got=[1, 2], expected=[1, 2], context=_context()).passed
    assert (
        specs.IntList().check(name="t", got=[1.0, 2], expected=[1, 2], context=_context()).status
        == "invalid_output"
    )


def test_properties_use_the_call_arguments():
    """sums_to_one reads the call's dim; non_negative names the first negative entry."""
    prop = specs.sums_to_one("dim")
    got = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert prop("y", got, _context(dim=0)).passed
    assert "along dim=1" in prop("y", got * 1.5, _context(dim=1)).message
    negative = specs.non_negative()("kl", np.array([0.1, -0.5]), _context())
    assert negative.status == "wrong_answer" and "at index (1,)" in negative.message


def test_statement_numbers_come_from_the_declarations():
    """The softmax statement states the performance test's real input size and the tolerance
    the exercise declares."""
    exercise = exercise_get("softmax")
    size = exercise.cases()[-1].inputs.args[0].shape
    assert f"`x` ({size[0]}, {size[1]})" in exercise.statement_en
    assert f"`x` ({size[0]}, {size[1]})" in exercise.statement_zh
    assert "rtol = 1.0e-4" in exercise.statement_en
