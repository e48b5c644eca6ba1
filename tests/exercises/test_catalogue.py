"""Every exercise package, judged the same way: its contract row, its oracle, its shipped mistakes
(in this process: the checkers and the references; tests/exercises/test_mistakes_sandbox.py does the
same through the real sandbox) and the diagnosis that names them."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from dlquiz.content.taxonomy import TOPICS
from exercises.base import Raises
from exercises.frameworks import to_framework
from exercises.mistakes import Failure, diagnose, mistake_call
from exercises.registry import exercise_get, exercise_list
from tests.exercises.runner import by_name, judge_function, load_function

CONTRACT_PATH = Path(__file__).resolve().parents[3] / "shared" / "CONTRACT.md"
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| `(\w+)\((.*?)\)` \| (.*) \|$")
SLUGS = [exercise.slug for exercise in exercise_list()]
MISTAKES = [(e.slug, m.name) for e in exercise_list() for m in e.mistakes]
CORE = {"softmax", "attention", "conv-output-size", "mlp-backprop", "lstm-step"}


def contract_rows() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """slug -> (entry point, parameter list, frameworks) from CONTRACT §3 and §4."""
    rows = {}
    for line in CONTRACT_PATH.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line.strip())
        if match:
            slug, entry, params, text = match.groups()
            python = "*python*" in text or "Framework `python`" in text
            rows[slug] = (entry, params, ("python",) if python else ("torch", "numpy"))
    return rows


def _arguments(function: ast.FunctionDef) -> list[tuple[str, str | None]]:
    """Parameter names with their defaults as source text (annotations ignored)."""
    args = function.args.args
    defaults = [None] * (len(args) - len(function.args.defaults)) + [
        ast.unparse(d) for d in function.args.defaults
    ]
    return [(arg.arg, default) for arg, default in zip(args, defaults, strict=True)]


def _signature(params: str) -> list[tuple[str, str | None]]:
    function = ast.parse(f"def f({params}): pass").body[0]
    assert isinstance(function, ast.FunctionDef)
    return _arguments(function)


def _source_signature(source: str, entry: str) -> list[tuple[str, str | None]]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == entry:
            return _arguments(node)
    raise AssertionError(f"{entry} not defined")


def test_every_contract_exercise_is_either_built_or_not_yet_listed():
    """Every registered exercise is a CONTRACT row (no invented slugs)."""
    assert set(SLUGS) <= set(contract_rows())


@pytest.mark.parametrize("slug", SLUGS)
def test_entry_point_signature_and_frameworks_follow_the_contract(slug):
    """Entry point, parameter names, defaults and frameworks are exactly the CONTRACT row's, in
    the reference, every starter and every model solution."""
    exercise = exercise_get(slug)
    entry, params, frameworks = contract_rows()[slug]
    assert exercise.entry_point == entry
    assert exercise.frameworks == frameworks
    expected = _signature(params)
    assert list(exercise.argnames()) == [name for name, _ in expected]
    for framework in exercise.frameworks:
        for source in (
            exercise.starter_code[framework],
            exercise.solution_source(framework=framework),
        ):
            assert _source_signature(source, entry) == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_topic_is_a_content_topic(slug):
    """The topic an exercise counts towards exists in the content taxonomy."""
    assert exercise_get(slug).topic in {spec.slug for spec in TOPICS}


@pytest.mark.parametrize("slug", SLUGS)
def test_statements_are_filled_from_the_declarations(slug):
    """No placeholder is left; with a performance test, the statement states its sizes and
    allowed slowdown from the declarations, so it cannot contradict the test."""
    exercise = exercise_get(slug)
    for language in ("zh", "en"):
        text = exercise.statement_for(language)
        assert "{{" not in text
        raw = (exercise.package_dir / f"statement.{language}.md").read_text(encoding="utf-8")
        if exercise.performance is not None:
            assert "{{ performance }}" in raw and "{{ slowdown }}" in raw
            assert exercise.statement_values()["performance"] in text


@pytest.mark.parametrize("slug", sorted(set(SLUGS) - CORE))
def test_reference_agrees_with_the_oracle(slug):
    """On every sample and hidden case, the reference and an independent oracle (PyTorch's own
    routine or a brute force) agree within the exercise's tolerance, or both raise."""
    exercise = exercise_get(slug)
    assert type(exercise).oracle is not None, f"{slug} declares no oracle"
    for case in exercise.cases():
        for inputs in case.runs:
            expected = exercise.expected(inputs)
            try:
                theirs = type(exercise).oracle(exercise, *inputs.args, **dict(inputs.kwargs))
            except exercise.expected_exceptions as exc:
                assert isinstance(expected, Raises), (case.name, exc)
                continue
            assert not isinstance(expected, Raises), case.name
            result = exercise.output.check(
                name="result", got=theirs, expected=expected, context=exercise.context(inputs)
            )
            assert result.passed, (case.name, result.message)


def _judge_mistake(slug: str, name: str):
    exercise = exercise_get(slug)
    mistake = next(m for m in exercise.mistakes if m.name == name)
    function = load_function(source=mistake.source, entry_point=exercise.entry_point)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        results = by_name(
            judge_function(
                exercise=exercise, framework=mistake.framework, function=function, performance=False
            )
        )
    return exercise, mistake, results


@pytest.mark.parametrize(("slug", "name"), MISTAKES)
def test_shipped_mistake_is_caught_by_the_tests(slug, name):
    """Every typical mistake fails the tests it declares, with the declared statuses and message
    parts; an edge-case mistake passes every visible sample."""
    exercise, mistake, results = _judge_mistake(slug, name)
    for test, status in mistake.expect.items():
        assert results[test].status == status, (test, results[test].message)
    for test, part in mistake.messages.items():
        assert part in results[test].message, (test, results[test].message)
    if mistake.edge:
        samples = {sample.name for sample in exercise.samples}
        assert [n for n in samples if not results[n].passed] == []


@pytest.mark.parametrize(("slug", "name"), MISTAKES)
def test_diagnosis_recognises_the_mistake(slug, name):
    """Given the outputs of a mistake on the tests it fails, the diagnosis names a mistake whose
    outputs are the same (the mistake itself unless two mistakes coincide there)."""
    exercise, mistake, results = _judge_mistake(slug, name)
    failures = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for case in exercise.cases():
            if case.performance is not None or results[case.name].passed:
                continue
            try:
                got, kind = mistake_call(exercise=exercise, mistake=mistake, inputs=case.inputs)
            except Exception:
                continue
            failures.append(Failure(case.name, case.inputs, got, kind))
    if not failures:
        pytest.skip("the mistake only raises; nothing to compare")
    found = diagnose(exercise=exercise, framework=mistake.framework, failures=failures)
    assert found is not None
    assert found.diagnosis["en"] and found.diagnosis["zh"]


def test_an_unknown_wrong_answer_gets_no_diagnosis():
    """A wrong output that no shipped mistake produces, or a mistake's output on a test where
    that mistake is right, is not diagnosed."""
    exercise = exercise_get("softmax")
    case = exercise.case_get(name="stable for large logits")
    expected = exercise.expected(case.inputs)
    uniform = np.full_like(expected, 1.0 / expected.shape[-1])
    wrong = [Failure(case.name, case.inputs, uniform, "ndarray")]
    assert diagnose(exercise=exercise, framework="numpy", failures=wrong) is None
    # Mistakes that are right on these values (last axis only, a numpy result) are not blamed.
    right = [Failure(case.name, case.inputs, to_framework(expected, framework="numpy"), "ndarray")]
    assert diagnose(exercise=exercise, framework="numpy", failures=right) is None
