"""The similarity run page follows the run: core/live.js fetches the page again and replaces
its live region (status, progress and, once done, the ranked pairs) while the region asks to be
fetched again; the finished page stops asking and carries the message the page announces in its
status region, in English and in Chinese."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dlquiz.similarity import services
from dlquiz.similarity.models import SimilarityRun
from tests.coding.factories import student_create
from tests.similarity.factories import DISGUISED, ORIGINAL, attention_exercise, final_submit

pytestmark = pytest.mark.django_db


def client_for(language: str) -> Client:
    """A superuser's: a check over every student belongs to no course, so only superusers read
    it."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Root-12345"))
    return client


def region_tag(html: str) -> str:
    return re.search(r'<div id="run-live"[^>]*>', html).group(0)


@pytest.fixture
def queued_run() -> SimilarityRun:
    exercise = attention_exercise()
    final_submit(user=student_create("lin"), exercise=exercise, code=ORIGINAL)
    final_submit(user=student_create("wang"), exercise=exercise, code=DISGUISED)
    return SimilarityRun.objects.create(exercise=exercise)


@pytest.mark.parametrize(
    ("language", "done"),
    [("en", "The similarity check has finished."), ("zh-hans", "相似度检查已完成。")],
)
def test_the_live_region_asks_for_refreshes_until_the_run_is_done(queued_run, language, done):
    client = client_for(language)
    url = f"/similarity/runs/{queued_run.pk}/"

    html = client.get(url).content.decode()
    tag = region_tag(html)
    assert "data-live" in tag and 'data-refresh-seconds="2"' in tag
    assert "data-live-done" not in tag
    assert 'role="status"' in html and 'data-live-status-for="run-live"' in html
    assert 'id="pairs"' not in html
    assert "core/live.js" in html and "refresh.js" not in html

    services.similarity_run_execute(run_id=queued_run.pk)
    html = client.get(url).content.decode()
    tag = region_tag(html)
    assert "data-refresh-seconds" not in tag
    assert f'data-live-done="{done}"' in tag
    # The ranked pairs are inside the region, so the page that polls shows them.
    region = html[html.index('<div id="run-live"') :]
    assert 'id="pairs"' in region and 'id="run-status"' in region


def test_a_failed_run_stops_refreshing_and_says_it_failed(queued_run):
    SimilarityRun.objects.filter(pk=queued_run.pk).update(
        status=SimilarityRun.Status.FAILED, message="boom"
    )
    html = client_for("en").get(f"/similarity/runs/{queued_run.pk}/")
    tag = region_tag(html.content.decode())
    assert "data-refresh-seconds" not in tag
    assert 'data-live-done="The similarity check has failed."' in tag
