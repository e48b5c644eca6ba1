"""What a student sees to act on after a run: samples marked as samples, the visible sample
beside a failing visible test, warnings of their own code, hints unlocked by failed attempts,
tags in the list, times labelled with their zone, and the editor's keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dlquiz.coding import selectors
from dlquiz.coding.hint_seeds import HINT_SEEDS
from dlquiz.coding.models import Exercise, ExerciseHint, Submission
from dlquiz.coding.services import exercises_sync
from dlquiz.coding.templatetags.coding_tags import local_time
from tests.coding.factories import (
    PASSWORD,
    exercise_create,
    graded_submission_create,
    student_create,
)

pytestmark = pytest.mark.django_db

OVERFLOW = (
    "/work/solution.py:4: RuntimeWarning: overflow encountered in exp\n"
    "  e = np.exp(x)\n"
    "/work/solution.py:5: RuntimeWarning: invalid value encountered in divide\n"
    "  return e / e.sum()\n"
)


@pytest.fixture
def student():
    return student_create("lin")


@pytest.fixture
def web(client, student):
    client.login(username=student.username, password=PASSWORD)
    return client


def _result_page(web, submission: Submission, lang: str = "zh-hans") -> str:
    response = web.get(f"/submissions/{submission.pk}/result/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def test_a_sample_run_is_marked_as_a_sample_and_shows_no_grade_like_score(web, student):
    """A "Run samples" result says it is not recorded and counts passed samples, never "x / y"."""
    exercise = exercise_create("softmax")
    run = graded_submission_create(
        user=student,
        exercise=exercise,
        tests=[("small", False, "wrong_answer", 0, 10, "first NaN at (0, 0)")],
        kind=Submission.Kind.SAMPLES,
    )
    page = _result_page(web, run, lang="en")
    assert 'data-role="samples-badge"' in page
    assert "not recorded" in page
    assert "0 of 1 sample passed" in page
    assert 'data-role="score"' not in page
    assert "0 / 10" not in page
    chinese = _result_page(web, run)
    assert "不计入记录" in chinese


def test_a_failing_visible_test_shows_the_samples_call_and_expected_beside_the_message(
    web, student
):
    exercise = exercise_create("softmax")
    run = graded_submission_create(
        user=student,
        exercise=exercise,
        tests=[("small", False, "wrong_answer", 0, 10, "first NaN at (0, 0)")],
        kind=Submission.Kind.SAMPLES,
    )
    page = _result_page(web, run, lang="en")
    assert 'data-role="compare"' in page
    assert '<pre lang="en" data-role="expected">[0.27, 0.73]</pre>' in page
    assert "softmax([1.0, 2.0])" in page
    assert '<pre lang="en" data-role="got">first NaN at (0, 0)</pre>' in page


def test_a_hidden_test_never_gets_a_sample_beside_it_even_under_a_samples_name(web, student):
    """Hidden inputs and outputs never reach a student, whatever the test is called."""
    exercise = exercise_create("softmax")
    submission = graded_submission_create(
        user=student,
        exercise=exercise,
        tests=[("small", True, "wrong_answer", 0, 10, "hidden detail 123")],
    )
    page = _result_page(web, submission, lang="en")
    assert 'data-role="compare"' not in page
    assert "[0.27, 0.73]" not in page
    assert "hidden detail 123" not in page


def test_warnings_of_the_students_code_are_shown_open_for_a_sample_run(web, student):
    exercise = exercise_create("softmax")
    run = graded_submission_create(
        user=student,
        exercise=exercise,
        tests=[("small", False, "wrong_answer", 0, 10, "first NaN at (0, 0)")],
        kind=Submission.Kind.SAMPLES,
    )
    Submission.objects.filter(pk=run.pk).update(stderr=OVERFLOW)
    page = _result_page(web, run, lang="en")
    assert 'data-role="warnings"' in page
    assert '<code lang="en">RuntimeWarning: overflow encountered in exp</code>' in page
    assert "/work/solution.py" not in page.split('data-role="warnings"')[1].split("</ul>")[0]
    assert "<details open><summary>stderr</summary>" in page


def test_a_real_submissions_stderr_and_warnings_stay_hidden_from_a_student(web, student):
    """stderr may carry hidden inputs, so a graded submission shows no warnings to a student."""
    exercise = exercise_create("softmax")
    submission = graded_submission_create(
        user=student, exercise=exercise, tests=[("small", False, "passed", 10, 10, "")]
    )
    Submission.objects.filter(pk=submission.pk).update(stderr=OVERFLOW)
    page = _result_page(web, submission, lang="en")
    assert "overflow" not in page
    assert 'data-role="score"' in page


def test_stderr_warnings_are_each_listed_once_in_order():
    assert selectors.stderr_warnings(stderr=OVERFLOW + OVERFLOW) == [
        "RuntimeWarning: overflow encountered in exp",
        "RuntimeWarning: invalid value encountered in divide",
    ]
    assert selectors.stderr_warnings(stderr="Traceback\nValueError: no\n") == []


def test_a_diagnosis_is_shown_in_the_page_language(web, student):
    """The grader's diagnosis of a known mistake heads the result, in the page's language."""
    exercise = exercise_create("softmax")
    submission = graded_submission_create(
        user=student, exercise=exercise, tests=[("small", True, "wrong_answer", 0, 10, "")]
    )
    Submission.objects.filter(pk=submission.pk).update(
        diagnosis={
            "mistake": "no_max_shift",
            "en": "Subtract the row max.",
            "zh": "先减去每行最大值。",
        }
    )
    english = _result_page(web, submission, lang="en")
    assert 'data-role="diagnosis"><strong>Likely mistake:</strong> Subtract the row max.' in english
    chinese = _result_page(web, submission)
    assert "先减去每行最大值。" in chinese and "可能的错误" in chinese
    Submission.objects.filter(pk=submission.pk).update(diagnosis=None)
    assert 'data-role="diagnosis"' not in _result_page(web, submission)


def test_hints_unlock_one_per_failed_graded_submission_and_sample_runs_do_not_count(web, student):
    exercise = exercise_create("softmax")
    for position in range(3):
        ExerciseHint.objects.create(
            exercise=exercise, position=position, text=f"提示{position}", text_en=f"hint{position}"
        )
    page = web.get("/exercises/softmax/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-role="hint"' not in page
    assert "3 more hints unlock" in page

    graded_submission_create(
        user=student,
        exercise=exercise,
        tests=[("small", False, "wrong_answer", 0, 10, "")],
        kind=Submission.Kind.SAMPLES,
    )
    graded_submission_create(
        user=student, exercise=exercise, tests=[("small", False, "wrong_answer", 0, 10, "")]
    )
    page = web.get("/exercises/softmax/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('data-role="hint"') == 1
    assert "hint0" in page and "hint1" not in page
    assert "2 more hints unlock" in page

    graded_submission_create(
        user=student, exercise=exercise, tests=[("small", False, "passed", 10, 10, "")]
    )
    graded_submission_create(
        user=student, exercise=exercise, tests=[("small", False, "runtime_error", 0, 10, "")]
    )
    chinese = web.get("/exercises/softmax/").content.decode()
    assert chinese.count('data-role="hint"') == 2
    assert "提示1" in chinese and "提示2" not in chinese


def test_sync_copies_difficulty_and_topic_and_seeds_hints_once():
    """The five core exercises get their zh/en hints when first synced; an instructor's edits
    survive the next sync."""
    exercises_sync()
    softmax = Exercise.objects.get(slug="softmax")
    assert (softmax.difficulty, softmax.topic) == ("easy", "activations")
    for slug, seeds in HINT_SEEDS.items():
        hints = list(ExerciseHint.objects.filter(exercise__slug=slug))
        assert [(h.text, h.text_en) for h in hints] == seeds
    ExerciseHint.objects.filter(exercise=softmax).delete()
    ExerciseHint.objects.create(exercise=softmax, text="我的提示", text_en="mine")
    exercises_sync()
    assert list(softmax.hints.values_list("text_en", flat=True)) == ["mine"]


def test_the_exercise_list_shows_difficulty_and_topic_tags(web):
    exercise = exercise_create("softmax")
    Exercise.objects.filter(pk=exercise.pk).update(difficulty="hard", topic="activations")
    english = web.get("/exercises/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-value="hard">hard</span>' in english
    assert 'data-role="topic">activations</span>' in english
    chinese = web.get("/exercises/").content.decode()
    assert 'data-value="hard">困难</span>' in chinese


def test_times_are_sent_in_utc_labelled_so_for_the_browser_to_localise():
    html = local_time(datetime(2026, 3, 1, 8, 5, 9, tzinfo=UTC), seconds=True)
    assert html == (
        '<time class="local-time" datetime="2026-03-01T08:05:09+00:00" data-seconds="1">'
        "2026-03-01 08:05:09 UTC</time>"
    )
    assert local_time(None) == ""


def test_the_exercise_page_lists_the_editors_keys_and_labels_the_editor(web):
    exercise_create("softmax")
    page = web.get("/exercises/softmax/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-role="shortcuts"' in page
    assert "<kbd>Ctrl</kbd>+<kbd>Enter</kbd>" in page
    assert "leave the editor" in page
    assert '<label for="code" class="visually-hidden">Code editor</label>' in page
