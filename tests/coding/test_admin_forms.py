"""The exercise page of the admin edits frameworks, starter code and samples with proper widgets
(checkboxes, a code editor per framework, rows of sample fields) instead of JSON; the stored
JSON keeps its shape, a form saved unchanged stores exactly what was there, and mistakes are
answered with a form error in English and in Chinese. Regrading all submissions asks first."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dlquiz.coding.models import Exercise, RegradeJob, Submission
from dlquiz.coding.services import exercises_sync
from tests.coding.factories import (
    PASSWORD,
    exercise_create,
    graded_submission_create,
    student_create,
    teacher_create,
)
from tests.core.html_forms import form_data

pytestmark = pytest.mark.django_db

FORM = "exercise_form"


def instructor(language: str = "en") -> Client:
    if not User.objects.filter(username="prof").exists():
        teacher_create("prof")
    client = Client()
    client.cookies["django_language"] = language
    assert client.login(username="prof", password=PASSWORD)
    return client


def change_url(exercise: Exercise) -> str:
    return f"/admin/coding/exercise/{exercise.pk}/change/"


def stored(exercise: Exercise) -> tuple:
    exercise.refresh_from_db()
    return (
        exercise.frameworks,
        list(exercise.starter_code.items()),
        exercise.samples,
        exercise.title,
        exercise.statement,
    )


def test_saving_the_exercise_form_unchanged_stores_the_same_values():
    """The form as the page renders it, sent back as a browser sends it (CRLF line breaks):
    frameworks, starter code (in its key order) and samples are stored unchanged, for a synced
    exercise whose code has blank lines, indentation, quotes and angle brackets."""
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    code = exercise.starter_code
    exercise.starter_code = {"numpy": code["numpy"] + '\n# "<b>&</b>"\n', "torch": code["torch"]}
    exercise.frameworks = ["torch", "numpy"]
    exercise.save()
    before = stored(exercise)
    assert list(exercise.starter_code) == ["numpy", "torch"]
    client = instructor()
    page = client.get(change_url(exercise)).content.decode()
    response = client.post(change_url(exercise), form_data(page, FORM))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert stored(exercise) == before


def test_the_exercise_page_has_a_code_editor_per_framework_and_sample_rows():
    exercise = exercise_create("softmax")
    page = instructor().get(change_url(exercise)).content.decode()
    assert 'name="starter_code-torch"' in page and 'name="starter_code-numpy"' in page
    assert "data-code-editor" in page and "coding/admin_code.js" in page
    assert "vendor/codemirror-5.65.18/codemirror.js" in page
    assert 'name="samples-0-call"' in page and 'name="samples-1-name"' in page  # one blank row
    assert 'type="checkbox" name="frameworks" value="python"' in page
    assert 'name="starter_code"' not in page and 'name="samples"' not in page  # no JSON box


def test_the_model_solution_is_shown_read_only():
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    page = instructor().get(change_url(exercise)).content.decode()
    assert 'id="model-solution-torch"' in page and "readonly" in page
    assert "def softmax" in page[page.index('id="model-solution-torch"') :]


def test_samples_are_added_changed_and_deleted_as_rows():
    exercise = exercise_create("softmax")
    client = instructor()
    data = form_data(client.get(change_url(exercise)).content.decode(), FORM)
    data["samples-0-expected"] = ["[0.25, 0.75]"]
    data["samples-1-name"] = ["large"]
    data["samples-1-call"] = ["softmax([1e4, 0.0])\r\n"]
    data["samples-1-expected"] = ["[1.0, 0.0]"]
    assert client.post(change_url(exercise), data).status_code == 302
    exercise.refresh_from_db()
    assert exercise.samples == [
        {"name": "small", "call": "softmax([1.0, 2.0])", "expected": "[0.25, 0.75]"},
        {"name": "large", "call": "softmax([1e4, 0.0])\n", "expected": "[1.0, 0.0]"},
    ]
    data = form_data(client.get(change_url(exercise)).content.decode(), FORM)
    data["samples-0-DELETE"] = ["on"]
    assert client.post(change_url(exercise), data).status_code == 302
    exercise.refresh_from_db()
    assert [s["name"] for s in exercise.samples] == ["large"]


def test_rows_added_by_the_page_script_beyond_the_rendered_ones_are_read():
    """The "add a sample" button numbers a new row after the last and raises the total."""
    exercise = exercise_create("softmax")
    client = instructor()
    data = form_data(client.get(change_url(exercise)).content.decode(), FORM)
    data["samples-TOTAL"] = ["3"]
    data.update({"samples-2-name": ["b"], "samples-2-call": ["f(2)"], "samples-2-expected": ["4"]})
    assert client.post(change_url(exercise), data).status_code == 302
    exercise.refresh_from_db()
    assert [s["name"] for s in exercise.samples] == ["small", "b"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Row 2: “call” is required."),
        ("zh-hans", "第 2 行：“调用”为必填项。"),
    ],
)
def test_an_incomplete_sample_is_a_form_error_in_both_languages(language, message):
    exercise = exercise_create("softmax")
    before = stored(exercise)
    client = instructor(language)
    data = form_data(client.get(change_url(exercise)).content.decode(), FORM)
    data["samples-1-name"] = ["no call"]
    response = client.post(change_url(exercise), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="no call"' in page  # what was typed is shown again
    assert stored(exercise) == before


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Each sample needs its own name; repeated: small."),
        ("zh-hans", "每个样例需要不同的名称；重复的有：small。"),
    ],
)
def test_two_samples_with_one_name_are_refused(language, message):
    exercise = exercise_create("softmax")
    client = instructor(language)
    data = form_data(client.get(change_url(exercise)).content.decode(), FORM)
    data.update(
        {"samples-1-name": ["small"], "samples-1-call": ["f()"], "samples-1-expected": ["1"]}
    )
    response = client.post(change_url(exercise), data)
    assert response.status_code == 200 and message in response.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Starter code for a framework the exercise does not offer: numpy."),
        ("zh-hans", "练习未提供的框架也有初始代码：numpy。"),
    ],
)
def test_starter_code_for_a_framework_left_out_is_refused(language, message):
    exercise = exercise_create("softmax")
    client = instructor(language)
    data = form_data(client.get(change_url(exercise)).content.decode(), FORM)
    data["frameworks"] = ["torch"]
    response = client.post(change_url(exercise), data)
    assert response.status_code == 200 and message in response.content.decode()
    exercise.refresh_from_db()
    assert exercise.frameworks == ["torch", "numpy"]


def test_starter_code_is_edited_per_framework_and_an_emptied_editor_removes_it():
    exercise = exercise_create("softmax")
    client = instructor()
    data = form_data(client.get(change_url(exercise)).content.decode(), FORM)
    data["frameworks"] = ["torch", "numpy", "python"]
    data["starter_code-torch"] = ["def softmax(x):\r\n    pass\r\n"]
    data["starter_code-numpy"] = [""]
    data["starter_code-python"] = ["x = 1\r\n"]
    assert client.post(change_url(exercise), data).status_code == 302
    exercise.refresh_from_db()
    assert exercise.frameworks == ["torch", "numpy", "python"]
    assert exercise.starter_code == {"torch": "def softmax(x):\n    pass\n", "python": "x = 1\n"}


# --- regrade all, confirmed first -------------------------------------------------------------


def regrade_world() -> tuple[Exercise, Exercise]:
    softmax = exercise_create("softmax")
    attention = exercise_create("attention", position=1)
    lin = student_create("lin")
    for target in (softmax, softmax, attention):
        graded_submission_create(
            user=lin, exercise=target, tests=[("a", False, "passed", 1, 1, "")]
        )
    graded_submission_create(
        user=lin,
        exercise=softmax,
        kind=Submission.Kind.SAMPLES,
        tests=[("a", False, "passed", 1, 1, "")],
    )
    return softmax, attention


def test_regrade_all_asks_first_and_says_how_many_submissions():
    softmax, attention = regrade_world()
    client = instructor()
    selected = {"action": "regrade_all_submissions", "_selected_action": [softmax.pk, attention.pk]}
    page = client.post("/admin/coding/exercise/", selected)
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 submissions will go back into the grading queue" in html
    assert "softmax: 2 submissions" in html and "attention: 1 submission" in html
    assert 'name="post" value="yes"' in html and 'href="/admin/coding/exercise/"' in html
    assert not RegradeJob.objects.exists()
    assert set(Submission.objects.values_list("status", flat=True)) == {"graded"}

    confirmed = client.post("/admin/coding/exercise/", {**selected, "post": "yes"})
    job = RegradeJob.objects.get()
    assert confirmed["Location"] == f"/admin/coding/regradejob/{job.pk}/change/"
    assert job.total == 3
    assert Submission.objects.filter(status="queued").count() == 3


def test_the_regrade_confirmation_reads_in_chinese():
    softmax, _attention = regrade_world()
    html = (
        instructor("zh-hans")
        .post(
            "/admin/coding/exercise/",
            {"action": "regrade_all_submissions", "_selected_action": [softmax.pk]},
        )
        .content.decode()
    )
    assert "2 份提交将回到评分队列，并按当前的测试重新评分。" in html
    assert "是的，重新评分" in html and "不，返回" in html


def test_regrade_selected_asks_first_in_chinese_and_lists_every_exercise():
    softmax, attention = regrade_world()
    picked = Submission.objects.filter(kind=Submission.Kind.SUBMISSION).order_by("pk")
    selected = {"action": "regrade_selected", "_selected_action": [s.pk for s in picked]}
    client = instructor("zh-hans")
    html = client.post("/admin/coding/submission/", selected).content.decode()
    assert "3 份提交将回到评分队列，并按当前的测试重新评分。" in html
    assert "重新评分所选提交？" in html and "是的，重新评分" in html
    assert 'href="/admin/coding/submission/"' in html
    assert html.count('name="_selected_action"') == 3
    assert not RegradeJob.objects.exists()

    client.post("/admin/coding/submission/", {**selected, "post": "yes"})
    assert RegradeJob.objects.get().total == 3
    assert set(Submission.objects.filter(status="queued")) == set(picked)


def test_nothing_to_regrade_needs_no_confirmation():
    exercise = exercise_create("softmax")
    response = instructor().post(
        "/admin/coding/exercise/",
        {"action": "regrade_all_submissions", "_selected_action": [exercise.pk]},
        follow=True,
    )
    assert "Nothing to regrade." in response.content.decode()
    assert not RegradeJob.objects.exists()


def test_the_score_histogram_reads_in_chinese():
    exercise = exercise_create("softmax")
    for name in ("a", "b"):
        graded_submission_create(
            user=student_create(name), exercise=exercise, tests=[("t", False, "passed", 10, 10, "")]
        )
    html = instructor("zh-hans").get(change_url(exercise)).content.decode()
    assert 'aria-label="得分分布"' in html and "<title>2 名学生</title>" in html
    assert "每名学生的最高分" in html and "有已评分提交的学生：2 人。" in html
