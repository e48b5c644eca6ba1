"""Instructor pages in a real Chromium, under the Content-Security-Policy: the similarity run
page and the regrade job page update themselves when their job finishes (no reload) and say so
in their status region; the exercise and question admin pages edit code in CodeMirror and add
sample and choice rows with the page's button; the pages fit a 390 px wide screen."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dlquiz.coding.models import Exercise, RegradeJob, Submission
from dlquiz.coding.services import exercises_sync
from dlquiz.content.models import Card, Topic
from dlquiz.quiz.models import Question
from dlquiz.similarity import services as similarity_services
from dlquiz.similarity.models import SimilarityRun
from tests.browser.test_csp_browser import RECORD_VIOLATIONS, violations
from tests.coding.factories import PASSWORD, graded_submission_create, student_create
from tests.similarity.factories import DISGUISED, ORIGINAL, attention_exercise, final_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(20_000)
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.csp_console = console
    return page


def admin_log_in(page, base: str, language: str = "en") -> None:
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_similarity_page_shows_the_ranking_when_the_run_finishes(live_server, page):
    exercise = attention_exercise()
    final_submit(user=student_create("lin"), exercise=exercise, code=ORIGINAL)
    final_submit(user=student_create("wang"), exercise=exercise, code=DISGUISED)
    run = SimilarityRun.objects.create(exercise=exercise)
    base = live_server.url
    admin_log_in(page, base)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/similarity/runs/{run.pk}/")
    assert page.locator("#pairs").count() == 0
    page.evaluate("() => { window.__notReloaded = true; }")

    similarity_services.similarity_run_execute(run_id=run.pk)

    page.wait_for_selector("#run-live #pairs")
    status = page.locator('[role="status"][data-live-status-for="run-live"]')
    status.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-live-status-for=run-live]').textContent.trim() !== ''"
    )
    assert status.text_content() == "The similarity check has finished."
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.locator("#run-live").get_attribute("data-refresh-seconds") is None
    assert fits(page)
    assert violations(page) == []


def test_the_regrade_job_page_shows_the_end_of_the_job(live_server, page):
    exercise = Exercise.objects.create(slug="softmax", title="softmax", statement="s")
    lin = student_create("lin")
    submissions = [
        graded_submission_create(
            user=lin, exercise=exercise, tests=[("a", False, "passed", 1, 1, "")]
        )
        for _ in range(2)
    ]
    job = RegradeJob.objects.create(description="2", exercise=exercise, total=2)
    job.submissions.set(submissions)
    Submission.objects.update(status="queued")
    base = live_server.url
    admin_log_in(page, base, "zh-hans")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/admin/coding/regradejob/{job.pk}/change/")
    assert "0/2" in page.locator("#regrade-job-progress").text_content()
    page.evaluate("() => { window.__notReloaded = true; }")

    Submission.objects.update(status="graded", graded_at=timezone.now())

    page.wait_for_function(
        "() => document.querySelector('[data-live-status-for=regrade-job-progress]')"
        ".textContent.trim() !== ''"
    )
    status = page.locator("[data-live-status-for=regrade-job-progress]").text_content()
    assert status == "重新评分已完成：2 份提交中已评分 2 份，失败 0 份。"
    assert "已评分 2/2（100%）" in page.locator("#regrade-job-progress").text_content()
    assert page.evaluate("() => window.__notReloaded === true")
    assert violations(page) == []


def test_exercise_code_and_samples_are_edited_in_the_browser(live_server, page):
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    samples_before = list(exercise.samples)
    base = live_server.url
    admin_log_in(page, base)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/admin/coding/exercise/{exercise.pk}/change/")
    page.click("#content-main details summary")  # open the collapsed content fieldset
    editors = page.locator(".code-map .CodeMirror")
    assert editors.count() == 3  # torch and numpy, then python offered empty
    assert page.locator(".readonly .CodeMirror").count() == 2  # the model solutions
    page.evaluate(
        """() => document.querySelector('.code-map .CodeMirror').CodeMirror
             .setValue('def softmax(x, dim=-1):\\n    return x\\n')"""
    )
    page.click("text=Add a sample")
    index = len(samples_before) + 1  # one blank row was there already
    page.fill(f"[name=samples-{index}-name]", "browser")
    page.fill(f"[name=samples-{index}-call]", "softmax(torch.zeros(2))")
    page.fill(f"[name=samples-{index}-expected]", "tensor([0.5, 0.5])")
    assert fits(page)
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/coding/exercise/")
    exercise.refresh_from_db()
    assert exercise.starter_code["torch"] == "def softmax(x, dim=-1):\n    return x\n"
    assert exercise.samples == samples_before + [
        {"name": "browser", "call": "softmax(torch.zeros(2))", "expected": "tensor([0.5, 0.5])"}
    ]
    assert violations(page) == []


def test_a_choice_is_added_and_ticked_in_the_browser(live_server, page):
    topic = Topic.objects.create(slug="cnn", name_zh="卷积", name_en="CNN")
    question = Question.objects.create(
        key="q", topic=topic, kind="single", prompt="哪一个？", choices=["甲", "乙"]
    )
    question.answer = {"choice": 0}
    question.save()
    base = live_server.url
    admin_log_in(page, base, "zh-hans")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{base}/admin/quiz/question/{question.pk}/change/")
    page.click("text=添加选项")
    page.fill("[name=choices-3-text]", "丁")
    page.fill("[name=choices-2-text]", "丙")
    page.uncheck("[name=choices-0-correct]")
    page.check("[name=choices-3-correct]")
    assert fits(page)
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/quiz/question/")
    question.refresh_from_db()
    assert question.choices == ["甲", "乙", "丙", "丁"] and question.answer == {"choice": 3}

    page.goto(f"{base}/admin/quiz/question/statistics/?o=-answers")
    assert page.locator("th[aria-sort=descending]").text_content().strip().startswith("作答数")
    assert fits(page)
    assert violations(page) == []


def test_select2_still_clears_after_its_markup_is_mended(live_server, page):
    """core/admin-a11y.js names select2's search box and moves its "clear all" mark out of the
    list (a list holds list items only); the mark still clears every linked card."""
    topic = Topic.objects.create(slug="cnn", name_zh="卷积", name_en="CNN")
    cards = [
        Card.objects.create(topic=topic, question=f"问题 {i}", answer="答", key=f"c{i}")
        for i in range(2)
    ]
    question = Question.objects.create(
        key="q", topic=topic, kind="single", prompt="哪一个？", choices=["甲", "乙"]
    )
    question.answer = {"choice": 0}
    question.save()
    question.cards.set(cards)
    base = live_server.url
    admin_log_in(page, base)
    page.goto(f"{base}/admin/quiz/question/{question.pk}/change/")
    page.wait_for_selector(".field-cards .select2-selection > .select2-selection__clear")
    assert page.locator(".select2-selection__rendered > .select2-selection__clear").count() == 0
    assert page.get_attribute(".field-cards .select2-search__field", "aria-label")
    page.locator(".field-cards .select2-selection__clear").dispatch_event("mousedown")
    page.keyboard.press("Escape")
    assert page.locator(".field-cards .select2-selection__choice").count() == 0
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/quiz/question/")
    assert question.cards.count() == 0


AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
# What these pages add to Django's admin, audited here with their widgets at work; whole admin
# pages, Django's own markup included, are audited in test_accessibility_browser.py.
OURS = [
    ".rows-editor",
    ".code-map",
    ".field-model_solution",
    ".field-regrade_jobs_progress",
    ".stats-scroll",
    "#regrade-job-progress",
    "[data-live-status-for]",
    ".regrade-confirmation #content",
]
RUN_AXE = """async (selectors) => {
  const include = selectors.filter(s => document.querySelector(s)).map(s => [s]);
  const result = await window.axe.run({ include }, { resultTypes: ["violations"] });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(", "));
}"""


def audit(page, where: str, width: int) -> list[str]:
    page.wait_for_load_state("load")
    assert page.evaluate("(s) => s.filter(x => document.querySelector(x)).length", OURS), where
    page.add_script_tag(url=AXE)
    problems = [f"{where} {v}" for v in page.evaluate(RUN_AXE, OURS)]
    if width == 390 and not fits(page):
        problems.append(f"{where} scrolls sideways")
    return problems


def test_the_instructor_pages_pass_axe_at_desktop_and_phone_width(live_server, page):
    """No serious or critical axe-core violation in what these widgets and views add to the
    admin, and no sideways scrolling at 390 px."""
    exercises_sync()
    exercise = Exercise.objects.get(slug="softmax")
    topic = Topic.objects.create(slug="cnn", name_zh="卷积", name_en="CNN")
    question = Question.objects.create(
        key="q", topic=topic, kind="single", prompt="哪一个？", choices=["甲", "乙"]
    )
    lin = student_create("lin")
    graded_submission_create(user=lin, exercise=exercise, tests=[("a", False, "passed", 1, 1, "")])
    job = RegradeJob.objects.create(description="1", exercise=exercise, total=1)
    job.submissions.set(Submission.objects.all())
    base = live_server.url
    admin_log_in(page, base, "zh-hans")
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in (
            f"/admin/coding/exercise/{exercise.pk}/change/",
            f"/admin/quiz/question/{question.pk}/change/",
            "/admin/quiz/question/statistics/",
            f"/admin/coding/regradejob/{job.pk}/change/",
        ):
            page.goto(base + path)
            problems += audit(page, f"{width}px {path}", width)
        page.goto(f"{base}/admin/coding/exercise/")
        page.check(f"input[name=_selected_action][value='{exercise.pk}']")
        page.select_option("select[name=action]", "regrade_all_submissions")
        page.click("button[name=index]")
        page.wait_for_selector(".regrade-confirmation")
        problems += audit(page, f"{width}px regrade confirmation", width)
    assert not problems, "\n".join(problems)
