"""A student in a real Chromium: log in, open softmax, type a solution into the editor, submit,
and watch the status go to "accepted" without reloading.

The page is served by pytest-django's live_server, whose database is the file-based test
database of tests/conftest.py; the real Celery worker of the `celery_worker` fixture grades
against that same file, so the whole flow is the production one."""

from __future__ import annotations

import pytest

from dlquiz.coding.services import exercises_sync
from tests.coding.factories import PASSWORD, SOFTMAX_TORCH, student_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(20_000)
    return page


def editor_value(page) -> str:
    return page.evaluate("() => window.dlquizEditor.getValue()")


def test_student_submits_softmax_in_the_editor_and_sees_accepted(
    live_server, celery_worker, browser_page
):
    exercises_sync()
    student_create("lin")
    page = browser_page
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next=/exercises/softmax/")
    page.fill("input[name=username]", "lin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_url(f"{base}/exercises/softmax/")

    # The editor starts with the starter code of the selected framework.
    page.select_option("#framework", "torch")
    page.wait_for_selector(".CodeMirror")
    assert "def softmax" in editor_value(page)

    # Tab indents with spaces.
    page.click(".CodeMirror-code")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.press("Tab")
    assert editor_value(page) == "    "
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")

    # Type the solution through the editor's own input.
    page.keyboard.insert_text(SOFTMAX_TORCH)
    assert editor_value(page) == SOFTMAX_TORCH
    assert page.locator(".CodeMirror-linenumber").count() >= SOFTMAX_TORCH.count("\n")
    assert page.locator(".CodeMirror .cm-keyword").count() > 0  # Python highlighting

    # The draft survives a reload.
    page.wait_for_timeout(400)
    page.reload()
    page.wait_for_selector(".CodeMirror")
    assert editor_value(page) == SOFTMAX_TORCH

    page.click("#submit")
    page.wait_for_selector("#result .result[data-status]")
    page.wait_for_selector("#result .verdict-accepted", timeout=120_000)
    result = page.inner_text("#result")
    assert "accepted" in result
    assert "graded" in result
    rows = page.locator("#result table.tests tbody tr")
    assert rows.count() > 1
    assert "passed" in rows.first.inner_text()

    # The submission is now in the history, with its code.
    page.goto(f"{base}/submissions/")
    assert "accepted" in page.inner_text("table.history")
