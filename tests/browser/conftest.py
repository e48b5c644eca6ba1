"""A real Chromium (Debian's, installed by `make setup`) driven by Playwright, offline: every
request that does not go to the live server is refused, so the pages must work from dlquiz's
own files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser_context(monkeypatch) -> Iterator:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make setup`")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the live server
    # and of the test itself between browser steps are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.route(
            lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")),
            lambda route: route.abort(),
        )
        yield context
        context.close()
        browser.close()
