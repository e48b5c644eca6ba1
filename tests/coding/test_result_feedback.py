"""Feedback a student can act on, from real grades (the grading service through the real sandbox):
a failing visible test's arrays beside the expected ones with a picture of where they differ, the
warnings each test's call raised under that test, and every grader message in the page's
language. Hidden tests give away none of their inputs or expected values on the way."""

from __future__ import annotations

import json
import re

import pytest

from dlquiz.coding import grading
from dlquiz.coding.models import Exercise, GradedTest, Submission
from dlquiz.coding.services import exercises_sync
from tests.coding.factories import PASSWORD, api_client_for, student_create, teacher_create

pytestmark = pytest.mark.django_db

# Off by a factor on every element: a wrong answer on every sample, no NaN.
HALVED = """import numpy as np


def softmax(x, dim=-1):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True) / 2
"""
# Unstable: overflow in exp on large logits, NaN in the result.
OVERFLOWING = """import numpy as np


def softmax(x, dim=-1):
    e = np.exp(x)
    return e / e.sum(axis=dim, keepdims=True)
"""
# Writes its input into a warning: on a hidden test that would spell the input out.
LEAKY = """import warnings

import numpy as np


def softmax(x, dim=-1):
    warnings.warn("input " + repr(x.ravel()[:4].tolist()))
    e = np.exp(x)
    return e / e.sum(axis=dim, keepdims=True)
"""
# Wrong in several ways: the transposed shape on 2-D inputs, an exception on 1-D ones.
MIXED = """import numpy as np


def softmax(x, dim=-1):
    if x.ndim == 1:
        raise ValueError("no vectors")
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return (e / e.sum(axis=dim, keepdims=True)).T.copy()
"""


@pytest.fixture
def student():
    exercises_sync()
    return student_create("lin")


def _graded(student, code: str, *, kind: str = Submission.Kind.SUBMISSION) -> Submission:
    submission = Submission.objects.create(
        user=student,
        exercise=Exercise.objects.get(slug="softmax"),
        framework="numpy",
        code=code,
        kind=kind,
        max_score=10,
    )
    grading.submission_grade(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED
    return submission


def _page(client, user, submission: Submission, lang: str) -> str:
    client.login(username=user.username, password=PASSWORD)
    response = client.get(f"/submissions/{submission.pk}/result/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def test_a_failing_visible_test_shows_expected_and_got_and_where_they_differ(client, student):
    """The picture is an SVG with role="img" and a label that says how many elements differ and
    where the largest error is; a legend names every colour; both values sit side by side."""
    run = _graded(student, HALVED, kind=Submission.Kind.SAMPLES)
    row = run.tests.get(name="sample: one row")
    assert row.status == "wrong_answer"
    [array] = row.arrays
    assert array["name"] == "result" and array["shape"] == [1, 3]
    assert array["differ"] == array["size"] == 3
    assert array["rows"] == 1 and array["cols"] == 3
    assert array["levels"] == [3, 3, 3]  # off by half: far beyond 100x the tolerance
    assert array["worst"] == [0, 2] == [0, *array["shown_worst"][1:]]
    expected = [float(v) for v in array["expected"]]
    assert [float(v) for v in array["got"]] == pytest.approx([v / 2 for v in expected], rel=1e-5)

    page = _page(client, student, run, "en")
    figure = page[page.index('data-role="heatmap"') :]
    figure = figure[: figure.index("</figure>")]
    svg = re.search(r'<svg role="img" aria-label="([^"]+)"', figure)
    assert svg, figure
    assert svg.group(1) == "3 of 3 elements differ; the largest error at row 0, column 2"
    assert 'data-role="heatmap-expected"' in figure and 'data-role="heatmap-got"' in figure
    assert figure.count('<mark class="heat-mark">') == 3
    for label in ("within the tolerance", "more than 100× the tolerance", "NaN or ±inf"):
        assert label in figure
    chinese = _page(client, student, run, "zh-hans")
    assert "3 个元素中有 3 个不同" in chinese
    assert "容差以内" in chinese


def test_a_nan_shows_in_its_own_colour_and_a_2d_array_as_a_grid(client, student):
    run = _graded(student, OVERFLOWING, kind=Submission.Kind.SAMPLES)
    row = run.tests.get(name="sample: large logits and -inf")
    assert row.status == "invalid_output"
    [array] = row.arrays
    assert array["rows"] == 2 and array["cols"] == 3
    assert "nan" in array["got"] and 4 in array["levels"]
    page = _page(client, student, run, "en")
    assert re.search(
        r'aria-label="\d of 6 elements differ; the largest error at row \d, column \d"', page
    )
    assert 'class="heat-4"' in page


def test_hidden_tests_values_never_reach_the_stored_result_or_the_api(client, student):
    """Only visible tests carry arrays; a hidden test's row stores none, and the API answers a
    hidden test with neither values nor message, to the student."""
    submission = _graded(student, HALVED)
    rows = list(submission.tests.all())
    assert {row.hidden for row in rows} == {False, True}
    assert all(row.arrays == [] for row in rows if row.hidden)
    assert all(row.arrays for row in rows if not row.hidden and row.status != "passed")
    api = api_client_for(student)
    body = api.get(f"/api/submissions/{submission.pk}/").json()
    for test in body["tests"]:
        if test["hidden"]:
            assert test["arrays"] == []
            # Nothing but a performance test's time relative to its limit.
            assert test["message_code"] in ("", "time.within", "time.over")
            assert set(test["message_params"]) <= {"ratio"}
        else:
            assert test["arrays"] and test["arrays"][0]["expected"]
    # Whatever a hidden test's expected output is, none of its numbers is in the answer.
    text = json.dumps(body)
    hidden_names = [row.name for row in rows if row.hidden]
    assert all(name in text for name in hidden_names)
    stored = GradedTest.objects.filter(submission=submission, hidden=True)
    assert not any(row.arrays for row in stored)


def test_each_tests_warnings_are_listed_under_it(client, student):
    run = _graded(student, OVERFLOWING, kind=Submission.Kind.SAMPLES)
    large = run.tests.get(name="sample: large logits and -inf")
    assert "RuntimeWarning: overflow encountered in exp (line 5)" in large.warnings
    assert run.tests.get(name="sample: one row").warnings == []
    page = _page(client, student, run, "en")
    rows = page.split('<tr class="test ')
    under_large = next(part for part in rows if "sample: large logits and -inf" in part)
    assert 'data-role="test-warnings"' in under_large
    assert "overflow encountered in exp (line 5)" in under_large
    one_row = next(part for part in rows if part.split("</td>")[0].endswith("sample: one row"))
    assert 'data-role="test-warnings"' not in one_row
    # Attributed to their tests, the same warnings are not listed again as the code's own.
    assert 'data-role="warnings"' not in page
    assert "<summary>stderr</summary>" in page


def test_a_hidden_tests_warnings_show_only_numpys_own_text_to_a_student(client, student):
    """A warning's text is the code's to choose: on a hidden test it could carry the inputs. A
    student sees numpy's floating-point warnings there, an instructor everything."""
    submission = _graded(student, LEAKY)
    hidden = submission.tests.get(name="stable for large logits")
    assert any(text.startswith("UserWarning: input [") for text in hidden.warnings)
    student_view = api_client_for(student).get(f"/api/submissions/{submission.pk}/").json()
    [seen] = [t for t in student_view["tests"] if t["name"] == "stable for large logits"]
    assert seen["warnings"] and all("overflow" in w or "invalid" in w for w in seen["warnings"])
    assert "input [" not in json.dumps([t for t in student_view["tests"] if t["hidden"]])
    visible = [t for t in student_view["tests"] if not t["hidden"]]
    assert all(any(w.startswith("UserWarning: input [") for w in t["warnings"]) for t in visible)
    teacher = teacher_create("prof")
    teacher_view = api_client_for(teacher).get(f"/api/submissions/{submission.pk}/").json()
    [full] = [t for t in teacher_view["tests"] if t["name"] == "stable for large logits"]
    assert any(w.startswith("UserWarning: input [") for w in full["warnings"])


ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{3,}\s+[A-Za-z]{2,}\b")
# Words a message may keep in both languages: code names, dtype names, exception names.
ALLOWED = {"result", "float32", "float64", "numpy", "ndarray", "ValueError", "rtol", "atol"}


def _messages(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", text)
        for text in re.findall(r'data-role="(?:message|got)">(.*?)</pre>', page, re.DOTALL)
    ]


@pytest.mark.parametrize("code", [HALVED, OVERFLOWING, MIXED], ids=["wrong", "nan", "mixed"])
def test_a_chinese_page_shows_no_english_grader_message(client, student, code):
    """Shapes, numbers and code names stay; no English phrase is left in a grader message. The
    exception's own text ("no vectors") is the student's, quoted as it is."""
    submission = _graded(student, code)
    teacher = teacher_create("prof")
    for viewer in (student, teacher):
        page = _page(client, viewer, submission, "zh-hans")
        messages = _messages(page)
        assert messages, page
        for text in messages:
            text = text.replace("no vectors", "")
            words = [w for w in ENGLISH_WORDS.findall(text) if not set(w.split()) <= ALLOWED]
            assert not words, text
        english = _page(client, viewer, submission, "en")
        # The same messages in English are phrases the check above would have caught.
        assert any(ENGLISH_WORDS.search(m) for m in _messages(english))
        client.logout()


def test_the_infrastructures_message_is_in_the_page_language_too(client, student):
    """A submission the grading machinery gave up on says so in the reader's language."""
    submission = Submission.objects.create(
        user=student,
        exercise=Exercise.objects.get(slug="softmax"),
        framework="numpy",
        code=HALVED,
        max_score=10,
        attempts=4,
    )
    grading.submission_fail(submission=submission)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "not a fault in your code" in submission.message
    page = _page(client, student, submission, "zh-hans")
    assert "评测系统尝试 3 次后仍无法评测这次提交" in page
    assert "not a fault" not in page
    body = api_client_for(student).get(f"/api/submissions/{submission.pk}/").json()
    assert body["message_code"] == "infra.gave_up"
    assert body["message_params"] == {"attempts": "3"}
