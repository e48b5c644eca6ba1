"""Every package through the real sandbox, as students get it: each model solution is accepted in
every framework, and each shipped mistake is caught with the statuses it declares (mutation
testing of the hidden tests: a mistake that slips through means the tests are too weak)."""

from __future__ import annotations

import pytest

from exercises.base import Raises
from exercises.registry import exercise_get, exercise_list
from grader.grading import grade
from grader.sandbox import Sandbox

SOLUTIONS = [(e.slug, framework) for e in exercise_list() for framework in e.frameworks]
MISTAKES = [(e.slug, m.name) for e in exercise_list() for m in e.mistakes]


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(unsafe=False)
    yield box
    box.close()


@pytest.mark.parametrize(("slug", "framework"), SOLUTIONS)
def test_model_solution_is_accepted_through_the_sandbox(sandbox, slug, framework):
    """The model solution earns every point in every framework, performance test included
    (with a generous time multiplier: the test machine is shared)."""
    exercise = exercise_get(slug)
    result = grade(
        exercise=exercise,
        framework=framework,
        source=exercise.solution_source(framework=framework),
        sandbox=sandbox,
        time_multiplier=3.0,
    )
    failing = [(t.name, t.status, t.message) for t in result.tests if t.status != "passed"]
    assert (result.verdict, failing) == ("accepted", [])
    assert result.score == pytest.approx(result.max_score)


@pytest.mark.parametrize(("slug", "name"), MISTAKES)
def test_shipped_mistake_is_caught_through_the_sandbox(sandbox, slug, name):
    """A shipped mistake is not accepted; the tests it declares end with the declared statuses
    and message parts; an edge-case mistake passes every visible sample; a mistake that returns
    wrong values is named by the grade's diagnosis."""
    exercise = exercise_get(slug)
    mistake = next(m for m in exercise.mistakes if m.name == name)
    result = grade(
        exercise=exercise,
        framework=mistake.framework,
        source=mistake.source,
        sandbox=sandbox,
        time_multiplier=3.0,
    )
    tests = {test.name: test for test in result.tests}
    assert result.verdict != "accepted"
    for test, status in mistake.expect.items():
        assert tests[test].status == status, (test, tests[test].message)
    for test, part in mistake.messages.items():
        assert part in tests[test].message, (test, tests[test].message)
    if mistake.edge:
        assert [t.name for t in result.tests if not t.hidden and t.status != "passed"] == []
    returns_values = [
        test
        for test, status in mistake.expect.items()
        if status in ("wrong_answer", "invalid_output")
        and not isinstance(exercise.expected(exercise.case_get(name=test).inputs), Raises)
    ]
    if returns_values:
        # Its outputs on the failing tests are those of a shipped mistake: the grade names one.
        assert result.diagnosis is not None
        assert result.diagnosis["en"] and result.diagnosis["zh"]


def test_a_correct_or_unknown_submission_gets_no_diagnosis(sandbox):
    """A model solution gets no diagnosis; neither does a wrong answer no mistake explains."""
    exercise = exercise_get("softmax")
    right = grade(
        exercise=exercise,
        framework="numpy",
        source=exercise.solution_source(framework="numpy"),
        sandbox=sandbox,
        time_multiplier=3.0,
    )
    assert right.diagnosis is None
    uniform = "import numpy as np\ndef softmax(x, dim=-1):\n    return np.full_like(x, 0.5)\n"
    wrong = grade(exercise=exercise, framework="numpy", source=uniform, sandbox=sandbox)
    assert wrong.verdict == "wrong_answer" and wrong.diagnosis is None
