"""Exercise and submission pages: progress per exercise, editor page, results, escaping."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dlquiz.coding.models import Submission
from tests.coding.factories import (
    PASSWORD,
    exercise_create,
    graded_submission_create,
    student_create,
    teacher_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def student():
    return student_create("lin")


@pytest.fixture
def web(client, student):
    client.login(username=student.username, password=PASSWORD)
    return client


def test_exercise_list_shows_best_score_and_status_per_exercise(web, student):
    softmax = exercise_create("softmax")
    attention = exercise_create("attention", position=1)
    exercise_create("lstm-step", position=2)
    exercise_create("draft", is_published=False, position=3)
    graded_submission_create(
        user=student, exercise=softmax, tests=[("a", False, "wrong_answer", 4, 10, "")]
    )
    graded_submission_create(
        user=student, exercise=softmax, tests=[("a", False, "passed", 10, 10, "")]
    )
    graded_submission_create(
        user=student, exercise=attention, tests=[("a", False, "wrong_answer", 3, 10, "")]
    )
    progress = {item.exercise.slug: item for item in web.get("/exercises/").context["progress"]}
    assert list(progress) == ["softmax", "attention", "lstm-step"]
    assert (progress["softmax"].best_score, progress["softmax"].status) == (10, "accepted")
    assert (progress["attention"].best_score, progress["attention"].status) == (3, "attempted")
    assert (progress["lstm-step"].best_score, progress["lstm-step"].status) == (
        None,
        "not_attempted",
    )


def test_exercise_list_queries_do_not_grow_with_exercises_or_submissions(web, student):
    """No N+1: the list page runs the same number of queries for 1 or 8 exercises."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get("/exercises/").status_code == 200
        return len(captured)

    first = exercise_create("e0")
    graded_submission_create(user=student, exercise=first, tests=[("a", False, "passed", 1, 1, "")])
    few = queries()
    for i in range(1, 8):
        exercise = exercise_create(f"e{i}", position=i)
        for _ in range(3):
            graded_submission_create(
                user=student, exercise=exercise, tests=[("a", False, "passed", 1, 1, "")]
            )
    assert queries() == few
    # Session, user, exercises, progress; and the session's renewal (sliding expiry).
    assert few <= 8


def test_anonymous_visitors_see_exercises_but_must_log_in_to_submit(client):
    exercise_create("softmax")
    assert client.get("/exercises/").status_code == 200
    page = client.get("/exercises/softmax/").content.decode()
    assert "/accounts/login/?next=" in page
    assert 'id="submit-form"' not in page
    assert client.get("/submissions/").status_code == 302


def test_exercise_page_has_statement_editor_and_starter_code(web):
    exercise_create("softmax")
    response = web.get("/exercises/softmax/")
    page = response.content.decode()
    assert 'class="math inline"' in page  # $e^x$ left for KaTeX
    assert 'id="code"' in page and "codemirror.js" in page
    assert 'id="run-samples"' in page and 'id="submit"' in page
    assert '<option value="torch">' in page and '<option value="numpy">' in page
    config = response.context["editor_config"]
    assert config["starterCode"]["torch"] == "# torch starter for softmax\n"
    assert "vendor/katex/katex.min.js" in page  # loaded site-wide by base.html
    assert "cdn" not in page.lower()


def test_unpublished_exercise_page_is_404_for_students_only(web):
    exercise_create("draft", is_published=False)
    assert web.get("/exercises/draft/").status_code == 404
    teacher_create("prof")
    web.login(username="prof", password=PASSWORD)
    assert web.get("/exercises/draft/").status_code == 200


def test_everything_users_typed_is_escaped(web, student):
    """Code, messages and test names from submissions are shown as text, never as markup."""
    softmax = exercise_create("softmax")
    evil = "<script>alert('x')</script>"
    submission = graded_submission_create(
        user=student,
        exercise=softmax,
        code=f"# {evil}\ndef softmax(x, dim=-1):\n    return x\n",
        tests=[(f"name {evil}", False, "wrong_answer", 0, 1, f"message {evil}")],
    )
    Submission.objects.filter(pk=submission.pk).update(message=evil)
    for url in (
        f"/submissions/{submission.pk}/",
        f"/submissions/{submission.pk}/result/",
        "/submissions/",
        "/exercises/softmax/",
    ):
        page = web.get(url).content.decode()
        assert evil not in page, url
        assert "&lt;script&gt;" in page, url


def test_result_fragment_tells_the_poller_when_it_is_final(web, student):
    softmax = exercise_create("softmax")
    queued = Submission.objects.create(
        user=student, exercise=softmax, framework="torch", code="x", max_score=10
    )
    assert 'data-final="0"' in web.get(f"/submissions/{queued.pk}/result/").content.decode()
    graded = graded_submission_create(
        user=student,
        exercise=softmax,
        tests=[("small", False, "passed", 5, 5, ""), ("big", True, "passed", 5, 5, "")],
    )
    fragment = web.get(f"/submissions/{graded.pk}/result/").content.decode()
    assert 'data-final="1"' in fragment and "accepted" in fragment
    assert "small" in fragment and "big" in fragment


def test_hidden_test_messages_are_not_on_the_students_pages(web, student):
    softmax = exercise_create("softmax")
    secret = "expected 0.8766 for input -1.3"
    submission = graded_submission_create(
        user=student, exercise=softmax, tests=[("hidden one", True, "wrong_answer", 0, 1, secret)]
    )
    assert secret not in web.get(f"/submissions/{submission.pk}/").content.decode()
    assert secret not in web.get(f"/submissions/{submission.pk}/result/").content.decode()


def test_another_students_submission_page_is_404(web):
    softmax = exercise_create("softmax")
    theirs = graded_submission_create(
        user=student_create("mei"), exercise=softmax, tests=[("a", False, "passed", 1, 1, "")]
    )
    assert web.get(f"/submissions/{theirs.pk}/").status_code == 404
    assert web.get(f"/submissions/{theirs.pk}/result/").status_code == 404


def test_history_page_lists_own_submissions_with_code(web, student):
    softmax = exercise_create("softmax")
    mine = graded_submission_create(
        user=student, exercise=softmax, code="# mine\n", tests=[("a", False, "passed", 1, 1, "")]
    )
    graded_submission_create(
        user=student_create("mei"),
        exercise=softmax,
        code="# theirs\n",
        tests=[("a", False, "passed", 1, 1, "")],
    )
    page = web.get("/submissions/").content.decode()
    assert f"/submissions/{mine.pk}/" in page and "# mine" in page
    assert "# theirs" not in page


VERDICT_CODES = ("graded", "wrong_answer")


def test_pages_are_chinese_by_default_with_codes_kept_verbatim(web, student):
    """Without an Accept-Language header the pages are Chinese; status, verdict and test-status
    codes still appear as they are, with a Chinese label beside them."""
    softmax = exercise_create("softmax")
    submission = graded_submission_create(
        user=student, exercise=softmax, tests=[("a", True, "wrong_answer", 0, 1, "")]
    )
    exercise_page = web.get("/exercises/softmax/").content.decode()
    assert "你的解答" in exercise_page and "运行样例" in exercise_page
    assert 'data-confirm="用初始代码替换编辑器中的内容吗？"' in exercise_page
    fragment = web.get(f"/submissions/{submission.pk}/result/").content.decode()
    assert 'data-role="verdict">wrong_answer</span> <span class="code-label">答案错误</span>' in (
        fragment
    )
    assert 'data-role="status">graded</span>' in fragment
    assert "隐藏测试" in fragment
    history = web.get("/submissions/").content.decode()
    assert all(code in history for code in VERDICT_CODES) and "我的提交" in history
    assert 'data-status="attempted">已尝试<' in web.get("/exercises/").content.decode()


def test_pages_are_english_when_the_browser_asks_for_it(web, student):
    """Accept-Language: en serves English pages; codes are not repeated by a label there."""
    softmax = exercise_create("softmax")
    submission = graded_submission_create(
        user=student, exercise=softmax, tests=[("a", False, "passed", 1, 1, "")]
    )
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    exercise_page = web.get("/exercises/softmax/", **english).content.decode()
    assert "Your solution" in exercise_page and "你的解答" not in exercise_page
    fragment = web.get(f"/submissions/{submission.pk}/result/", **english).content.decode()
    assert 'data-role="verdict">accepted</span>' in fragment
    assert "code-label" not in fragment


def test_the_editors_own_messages_follow_the_page_language(web):
    """The script's messages (code too long, retry after a 429) come translated with its config."""
    exercise_create("softmax")
    chinese = web.get("/exercises/softmax/").context["editor_config"]["messages"]
    assert chinese == {
        "tooLong": "代码：最多 64 KiB",
        "retryAfter": "请在 {seconds} 秒后重试。",
        "queued": "排队中",
    }
    english = web.get("/exercises/softmax/", HTTP_ACCEPT_LANGUAGE="en").context["editor_config"]
    assert english["messages"]["retryAfter"] == "Retry after {seconds} s."


def test_exercise_page_shows_the_title_once(web):
    """Statements open with their own `# Title`; the page already heads itself with it."""
    exercise = exercise_create("softmax")
    exercise.statement = "# 数值稳定的 softmax\n\n写一个 `softmax`。\n\n# 不是标题的一节\n"
    exercise.save(update_fields=["statement"])
    page = web.get("/exercises/softmax/").content.decode()
    statement = page.split('id="statement">', 1)[1].split("</div>", 1)[0]
    assert "数值稳定的 softmax" not in statement and "写一个" in statement
    assert "不是标题的一节" in statement  # only the leading heading goes
