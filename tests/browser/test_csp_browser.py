"""Under the Content-Security-Policy the main pages work in a real Chromium (KaTeX renders, the
CodeMirror editor starts, the language switch submits, the admin loads) and the browser reports
no violation of the policy on any of them."""

from __future__ import annotations

import pytest

from dlquiz.coding.services import exercises_sync
from dlquiz.content.models import Card
from dlquiz.content.services import content_load
from tests.coding.factories import PASSWORD, student_create, teacher_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded before any page script runs, for every document the page loads.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
    + ":" + e.lineNumber);
});
"""


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


def violations(page) -> list[str]:
    return page.evaluate("() => window.__csp") + page.csp_console


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(f"{base}/")


def test_student_pages_work_without_a_policy_violation(live_server, page):
    content_load()
    exercises_sync()
    student_create("lin")
    base = live_server.url
    response = page.goto(f"{base}/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert violations(page) == []
    log_in(page, base, "lin")

    card = Card.objects.get(heading="LSTM", source_file__startswith="000")
    page.goto(base + card.get_absolute_url())
    page.wait_for_selector(".answer .katex")
    assert violations(page) == [], card.get_absolute_url()

    page.goto(f"{base}/exercises/softmax/")
    page.wait_for_selector(".CodeMirror")
    assert page.evaluate("() => typeof window.dlquizEditor.getValue()") == "string"
    assert violations(page) == [], "/exercises/softmax/"

    for path in (
        "/",
        "/topics/",
        "/exercises/",
        "/review/",
        "/exams/",
        "/dashboard/",
        "/search/?q=lstm",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path

    # The language switch, an inline handler before the policy, still submits on change.
    # The page is reloaded by the change: wait for that navigation, not the page it leaves.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations(page) == []


def test_the_admin_works_without_a_policy_violation(live_server, page):
    exercises_sync()
    teacher_create("prof")
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "prof")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    for path in (
        "/admin/",
        "/admin/coding/exercise/",
        "/admin/coding/submission/",
        "/admin/ops/auditentry/",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path


def test_an_inline_script_is_refused_and_reported(live_server, page):
    """The check above would see a violation: an injected inline script does not run."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.__ran = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran === true") is False
    assert any("script-src" in v for v in violations(page))
