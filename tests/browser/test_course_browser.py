"""A course run in a real Chromium, graded by the real worker: an instructor creates a course
and an assignment with a due date, a student joins with the code and submits, the instructor
overrides the grade with a comment and the student reads it; an exam-mode assignment hides the
score until the instructor releases it. Every course page passes axe-core and fits 390 px."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dlquiz.coding.models import Submission
from dlquiz.coding.services import exercises_sync
from dlquiz.courses import services
from dlquiz.courses.models import Assignment, Course
from tests.browser.test_accessibility_browser import AXE, BLOCKING, OVERFLOW, RUN_AXE
from tests.coding.factories import PASSWORD, SOFTMAX_TORCH, student_create, teacher_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(20_000)
    return page


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next=/courses/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_url(f"{base}/courses/")


def audit(page) -> list[str]:
    """axe-core's serious and critical violations at 1280 and 390 px, and sideways scrolling."""
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.add_script_tag(url=AXE)
        for v in page.evaluate(RUN_AXE):
            if v["impact"] in BLOCKING:
                problems.append(f"{page.url} {width}px {v['id']}: {v['nodes']}")
        overflow = page.evaluate(OVERFLOW)
        if width == 390 and overflow["excess"] > 0:
            problems.append(f"{page.url} 390px scroll-x {overflow}")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def wait_graded(user_id: int, *, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Submission.objects.filter(user_id=user_id).exclude(status="graded").exists():
            return
        time.sleep(0.2)
    raise AssertionError("the submission was not graded in time")


def test_instructor_and_student_run_a_course(live_server, celery_worker, page):
    exercises_sync()
    teacher_create("prof")
    lin = student_create("lin")
    base = live_server.url
    problems: list[str] = []

    log_in(page, base, "prof")
    page.fill("#id_title", "深度学习 2026")
    page.fill("#id_code", "dl-2026")
    page.click("button[name=create]")
    page.wait_for_selector("[data-testid=join-code]")
    join_code = page.inner_text("[data-testid=join-code]").strip()
    course = Course.objects.get(code="dl-2026")
    assert join_code == course.join_code
    page.click(f"a[href='/courses/{course.pk}/assignments/new/']")
    page.fill("#id_title", "作业一：softmax")
    page.fill("#id_due_at", "2099-03-01T23:59")
    page.locator("label").filter(has_text=re.compile(r"^\s*softmax\s*$")).locator("input").check()
    problems += audit(page)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("[data-testid=due]")
    assignment = Assignment.objects.get()
    assert page.inner_text("[data-testid=due]") == "2099-03-01 23:59"
    assert assignment.due_at.year == 2099
    item = assignment.items.get(exercise__slug="softmax")
    problems += audit(page)

    log_in(page, base, "lin")
    page.fill("#id_join_code", join_code)
    page.click("button[name=join]")
    page.wait_for_url(f"{base}/courses/{course.pk}/")
    problems += audit(page)
    page.click(f"a[href='/courses/assignments/{assignment.pk}/']")
    page.select_option(f"#id_item{item.pk}-framework", "torch")
    page.fill(f"#id_item{item.pk}-code", SOFTMAX_TORCH)
    page.click(f"form:has(input[name=item][value='{item.pk}']) button[type=submit]")
    page.wait_for_selector(".messages")
    wait_graded(lin.pk)
    page.reload()
    assert page.inner_text(f"[data-testid=item-score-{item.pk}]") == "10"
    problems += audit(page)

    log_in(page, base, "prof")
    page.goto(f"{base}/courses/{course.pk}/gradebook/")
    problems += audit(page)
    page.click(f"a[href='/courses/items/{item.pk}/grades/lin/']")
    page.fill("#id_score", "8.5")
    page.fill("#id_comment", "代码正确，但没有处理全 -inf 的行，扣 1.5 分")
    page.click("button[name=override]")
    page.wait_for_selector(".messages")
    assert float(page.inner_text("[data-testid=grade-score]")) == 8.5
    problems += audit(page)
    page.goto(f"{base}/courses/assignments/{assignment.pk}/regrade/")
    problems += audit(page)

    log_in(page, base, "lin")
    page.goto(f"{base}/courses/assignments/{assignment.pk}/")
    assert float(page.inner_text(f"[data-testid=item-score-{item.pk}]")) == 8.5
    assert "没有处理全 -inf 的行" in page.inner_text(f"[data-testid=comment-{item.pk}]")
    assert problems == [], "\n".join(problems)


def test_exam_mode_hides_the_score_until_released(live_server, celery_worker, page):
    exercises_sync()
    prof = teacher_create("prof")
    lin = student_create("lin")
    course = services.course_create(user=prof, title="期末", code="final")
    services.course_join(user=lin, join_code=course.join_code)
    from dlquiz.coding.models import Exercise

    assignment = services.assignment_create(
        course=course,
        actor=prof,
        data=services.AssignmentInput(
            title="期末考试",
            due_at=timezone.now() + timedelta(days=1),
            exercises=[Exercise.objects.get(slug="softmax")],
            exam_mode=True,
            is_published=True,
        ),
    )
    item = assignment.items.get()
    base = live_server.url

    log_in(page, base, "lin")
    page.goto(f"{base}/courses/assignments/{assignment.pk}/")
    page.select_option(f"#id_item{item.pk}-framework", "torch")
    page.fill(f"#id_item{item.pk}-code", SOFTMAX_TORCH)
    page.click(f"form:has(input[name=item][value='{item.pk}']) button[type=submit]")
    page.wait_for_selector(".messages")
    wait_graded(lin.pk)
    page.reload()
    assert page.locator("[data-testid=withheld]").count() == 1
    assert page.locator(f"[data-testid=item-score-{item.pk}]").count() == 0
    page.goto(f"{base}/courses/{course.pk}/")
    # The score would read "10 / 10"; the due date beside it may well contain a 10.
    row = page.locator("table").inner_text()
    assert "not released" in row and " / " not in row

    log_in(page, base, "prof")
    page.goto(f"{base}/courses/assignments/{assignment.pk}/")
    page.click("button[name=release]")
    page.wait_for_selector("button[name=unrelease]")

    log_in(page, base, "lin")
    page.goto(f"{base}/courses/assignments/{assignment.pk}/")
    assert page.locator("[data-testid=withheld]").count() == 0
    assert page.inner_text(f"[data-testid=item-score-{item.pk}]") == "10"
