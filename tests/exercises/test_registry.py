"""The exercise packages as the rest of the service sees them: registry, content, cases."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from exercises.base import Exercise, PerformanceTest
from exercises.registry import ExerciseNotFound, exercise_get, exercise_list

CORE = ["softmax", "attention", "conv-output-size", "mlp-backprop", "lstm-step"]
SLUGS = [exercise.slug for exercise in exercise_list()]


def test_registry_lists_the_five_core_exercises_first():
    """exercise_list() starts with the five CONTRACT §3 exercises in order, each reachable by
    slug; the catalogue follows."""
    assert SLUGS[: len(CORE)] == CORE
    for slug in SLUGS:
        assert exercise_get(slug).slug == slug
    with pytest.raises(ExerciseNotFound):
        exercise_get("no-such-exercise")


@pytest.mark.parametrize("slug", SLUGS)
def test_content_is_plain_json_in_both_languages(slug):
    """Titles, statements, starter code and public samples are JSON-serialisable, in zh and en."""
    exercise = exercise_get(slug)
    payload = {
        "slug": exercise.slug,
        "title": exercise.title,
        "statement": exercise.statement,
        "frameworks": list(exercise.frameworks),
        "starter_code": exercise.starter_code,
        "max_score": exercise.max_score,
        "samples": exercise.samples_public(),
    }
    json.dumps(payload, allow_nan=False)
    assert exercise.title_zh and exercise.title_en
    assert re.search(r"[\u4e00-\u9fff]", exercise.statement_zh)
    assert exercise.entry_point in exercise.statement_en
    assert exercise.entry_point in exercise.statement_zh
    assert "$" in exercise.statement_en
    assert exercise.max_score > 0
    assert set(exercise.starter_code) == set(exercise.frameworks)


@pytest.mark.parametrize("slug", SLUGS)
def test_starter_code_defines_the_entry_point(slug):
    """Every starter file compiles and defines the entry point (raising NotImplementedError)."""
    exercise = exercise_get(slug)
    for source in exercise.starter_code.values():
        namespace: dict = {}
        exec(compile(source, "<starter>", "exec"), namespace)
        assert callable(namespace[exercise.entry_point])


@pytest.mark.parametrize("slug", SLUGS)
def test_a_few_visible_samples_with_call_and_expected_text(slug):
    """2-4 visible samples, each described by name, call text and expected output text."""
    samples = exercise_get(slug).samples_public()
    assert 2 <= len(samples) <= 4
    for sample in samples:
        assert set(sample) == {"name", "call", "expected"}
        assert sample["call"].startswith(exercise_get(slug).entry_point + "(")
        assert sample["expected"]


def test_sample_text_shows_arguments_and_result():
    """The first softmax sample reads like a call and its result."""
    sample = exercise_get("softmax").samples_public()[0]
    assert sample["call"] == "softmax(x=[[1.0, 2.0, 3.0]], dim=-1)"
    assert sample["expected"] == "[[0.09003, 0.2447, 0.6652]]"
    raising = exercise_get("conv-output-size").samples_public()[2]
    assert raising["expected"] == "raises ValueError"


@pytest.mark.parametrize("slug", SLUGS)
def test_at_least_eight_hidden_tests_and_unique_names(slug):
    """At least 8 hidden tests per exercise (shared by its frameworks), uniquely named."""
    cases = exercise_get(slug).cases()
    hidden = [case for case in cases if case.hidden and case.performance is None]
    assert len(hidden) >= 8
    assert len({case.name for case in cases}) == len(cases)
    assert [case.hidden for case in cases] == sorted(case.hidden for case in cases)


@pytest.mark.parametrize("slug", [s for s in SLUGS if exercise_get(s).performance is not None])
def test_performance_tests_come_last_and_repeat(slug):
    """A performance test ends the cases, repeats on distinct inputs and allows at most 40x the
    reference."""
    exercise = exercise_get(slug)
    assert isinstance(exercise.performance, PerformanceTest)
    last = exercise.cases()[-1]
    assert last.performance is exercise.performance
    assert last.repeat >= 3
    assert len({_flatten(r.args).__repr__() for r in last.runs}) == last.repeat
    assert exercise.performance.allowed_slowdown <= 40


@pytest.mark.parametrize("slug", ["softmax", "attention", "mlp-backprop", "lstm-step"])
def test_core_array_exercises_have_a_performance_test(slug):
    """The four core array exercises keep their performance test."""
    assert isinstance(exercise_get(slug).performance, PerformanceTest)


def _flatten(value):
    if isinstance(value, np.ndarray):
        return [value.dtype.str, value.shape, value.tobytes()]
    if isinstance(value, tuple | list):
        return [_flatten(item) for item in value]
    if isinstance(value, dict):
        return {key: _flatten(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("slug", SLUGS)
def test_generators_are_deterministic_per_seed(slug):
    """Fresh instances generate identical inputs for the same seed, other inputs for another."""
    cls = type(exercise_get(slug))
    first: Exercise = cls()
    second: Exercise = cls()
    same = [_flatten((c.inputs.args, dict(c.inputs.kwargs))) for c in first.cases(seed=0)]
    again = [_flatten((c.inputs.args, dict(c.inputs.kwargs))) for c in second.cases(seed=0)]
    other = [_flatten((c.inputs.args, dict(c.inputs.kwargs))) for c in second.cases(seed=1)]
    assert same == again
    assert same != other


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_arrays_are_read_only_and_float32(slug):
    """Cached inputs cannot be altered by accident; float inputs are float32 (labels int64)."""
    for case in exercise_get(slug).cases():
        for value in (*case.inputs.args, *case.inputs.kwargs.values()):
            if isinstance(value, np.ndarray):
                assert not value.flags.writeable
                assert value.dtype in (np.float32, np.float64, np.int64, np.bool_)


def test_samples_only_cases_are_the_visible_ones():
    """samples_only keeps only the visible samples."""
    exercise = exercise_get("attention")
    cases = exercise.cases(samples_only=True)
    assert [case.name for case in cases] == [sample.name for sample in exercise.samples]
    assert not any(case.hidden for case in cases)
