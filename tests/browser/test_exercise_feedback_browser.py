"""The exercise page in a real Chromium: Esc then Tab leaves the editor, a failing sample run
shows its warnings under the test that raised them, the sample it failed and a picture of where
its output differs, a graded submission appears in the list below and unlocks a hint without a
reload, and times are shown in the browser's own zone. A result read in Chinese has no English
grader message, and its pictures scroll in their own boxes on a phone."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dlquiz.coding import grading
from dlquiz.coding.models import Exercise, GradedTest, Submission
from dlquiz.coding.services import exercises_sync
from exercises.specs import ArrayPair
from grader.values import Budget, array_view
from tests.coding.factories import (
    PASSWORD,
    SOFTMAX_WRONG_TORCH,
    graded_submission_create,
    student_create,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

OVERFLOWING_NUMPY = """import numpy as np


def softmax(x, dim=-1):
    e = np.exp(x)
    return e / e.sum(axis=dim, keepdims=True)
"""


@pytest.fixture
def page(live_server, browser_context):
    exercises_sync()
    student_create("lin")
    page = browser_context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/?next=/exercises/softmax/")
    page.fill("input[name=username]", "lin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_url(f"{live_server.url}/exercises/softmax/")
    page.wait_for_selector(".CodeMirror")
    return page


def _active(page) -> str:
    return page.evaluate(
        "() => (document.activeElement.closest('.CodeMirror') ? 'editor' : '')"
        " + '|' + document.activeElement.id"
    )


def _type(page, code: str) -> None:
    page.click(".CodeMirror-code")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_esc_then_tab_leaves_the_editor_and_plain_tab_indents(page):
    """WCAG 2.1.2: no keyboard trap; Esc, Tab goes forward, Esc, Shift-Tab backward."""
    page.click(".CodeMirror-code")
    page.keyboard.press("Tab")
    assert _active(page).startswith("editor")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not _active(page).startswith("editor")
    page.click(".CodeMirror-code")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    assert _active(page) == "|submit"
    assert page.locator("[data-role=shortcuts] kbd", has_text="Esc").count() == 1


def test_a_failing_sample_run_then_a_submission_update_the_page_without_reload(celery_worker, page):
    page.select_option("#framework", "numpy")
    _type(page, OVERFLOWING_NUMPY)
    page.click("#run-samples")
    page.wait_for_selector("#result .result[data-final='1']", timeout=120_000)
    result = page.locator("#result")
    assert result.locator("[data-role=samples-badge]").is_visible()
    assert result.locator("[data-role=score]").count() == 0
    assert re.search(r"\d of \d samples passed|\d 个样例中通过 \d 个", result.inner_text())
    # The warning sits under the test whose call raised it.
    failing = result.locator("tr.test", has_text="sample: large logits and -inf")
    assert failing.count() == 1
    warnings = result.locator("[data-role=test-warnings]")
    assert warnings.count() == 1 and warnings.is_visible()
    assert "RuntimeWarning: overflow encountered in exp" in warnings.inner_text()
    assert result.locator("[data-role=compare] [data-role=expected]").count() >= 1
    # Expected and got side by side, and a picture of where they differ, labelled.
    heatmap = result.locator("[data-role=heatmap]")
    assert heatmap.count() == 1 and heatmap.is_visible()
    label = heatmap.locator("svg[role=img]").get_attribute("aria-label")
    assert re.fullmatch(
        r"3 of 6 elements differ; the largest error at row \d, column \d"
        r"|6 个元素中有 3 个不同；最大误差在第 \d 行、第 \d 列",
        label,
    ), label
    assert heatmap.locator("[data-role=heatmap-got] mark").count() == 3
    assert heatmap.locator("svg rect[data-level='4']").count() == 3
    assert heatmap.locator(".heatmap-legend li").count() == 6
    # A sample run is no submission: the list below stays empty, no hint unlocks.
    assert page.locator("#history tr[data-submission]").count() == 0
    assert page.locator("[data-role=hint]").count() == 0

    page.select_option("#framework", "torch")
    _type(page, SOFTMAX_WRONG_TORCH)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(
        "#result .result[data-kind='submission'][data-final='1']", timeout=120_000
    )
    page.wait_for_selector("#history tr[data-submission] .verdict", timeout=20_000)
    assert page.locator("#history tr[data-submission]").count() == 1
    page.wait_for_selector("[data-role=hint]")
    assert page.locator("[data-role=hint]").count() == 1
    # Times are in the browser's zone, named, never a bare UTC.
    shown = page.locator("#history time.local-time").first.inner_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.*UTC[+-]\d\d:\d\d\)", shown), shown


# Wrong in every visible way: values off, NaN from an overflow on large logits (and an exception
# on the hidden 1-D inputs).
WRONG_EVERY_WAY = """import numpy as np


def softmax(x, dim=-1):
    if x.ndim == 1:
        raise ValueError("no vectors")
    e = np.exp(x)
    return e / e.sum(axis=dim, keepdims=True) / 2
"""
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]{3,}\s+[A-Za-z]{2,}\b")


def _wide_sample_run(student) -> Submission:
    """A sample run whose failing test stored a 20 x 200 picture (as grader.values builds it),
    too wide for a phone even with the smallest cells."""
    run = graded_submission_create(
        user=student,
        exercise=Exercise.objects.get(slug="softmax"),
        tests=[("sample: one row", False, "wrong_answer", 0, 1, "")],
        kind=Submission.Kind.SAMPLES,
    )
    expected = np.random.default_rng(1).random((20, 200)).astype(np.float32)
    got = expected.copy()
    got[3, 150:] *= 2
    view = array_view(
        pair=ArrayPair(name="result", got=got, expected=expected),
        rtol=1e-4,
        atol=1e-5,
        budget=Budget(),
    )
    GradedTest.objects.filter(submission=run).update(arrays=[view])
    return run


def test_a_result_in_chinese_has_no_english_grader_message_and_fits_a_phone(
    live_server, browser_context
):
    """Every grader message on a Chinese page is Chinese (code names, numbers and shapes
    aside). At 390 px the page never scrolls sideways: a wide picture scrolls inside its own
    box."""
    exercises_sync()
    student = student_create("lin")
    submission = Submission.objects.create(
        user=student,
        exercise=Exercise.objects.get(slug="softmax"),
        framework="numpy",
        code=WRONG_EVERY_WAY,
        max_score=10,
    )
    grading.submission_grade(submission_id=submission.pk)
    wide = _wide_sample_run(student)

    browser_context.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    page = browser_context.new_page()
    page.set_default_timeout(20_000)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "lin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_load_state("load")

    page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    messages = page.locator("[data-role=message]").all_inner_texts()
    # The visible tests' messages (a student sees none of a hidden test's).
    assert len(messages) >= 3, messages
    for text in messages:
        phrases = ENGLISH_PHRASE.findall(text)
        assert not phrases, text
    assert any("形状" in t or "和不为 1" in t or "NaN" in t for t in messages)
    labels = [
        svg.get_attribute("aria-label")
        for svg in page.locator("[data-role=heatmap] svg[role=img]").all()
    ]
    assert labels and all(re.search(r"\d+ 个元素中有 \d+ 个不同", label) for label in labels)
    assert "容差以内" in page.locator(".heatmap-legend").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server.url}/submissions/{wide.pk}/")
    box = page.locator(".heatmap-picture")
    sizes = box.evaluate(
        "el => ({scroll: el.scrollWidth, client: el.clientWidth,"
        " right: el.getBoundingClientRect().right})"
    )
    assert sizes["scroll"] > sizes["client"], sizes
    assert sizes["right"] <= 390, sizes
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    label = box.locator("svg[role=img]").get_attribute("aria-label")
    assert re.fullmatch(r"4000 个元素中有 50 个不同；最大误差在第 3 行、第 \d+ 列", label), label
