"""Content loaded once per test module from the real notes (importing takes seconds), removed
afterwards so other modules start from an empty bank."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dlquiz.content.services import ContentLoadReport, content_load


@pytest.fixture(scope="module")
def loaded_content(django_db_setup, django_db_blocker) -> Iterator[ContentLoadReport]:
    from dlquiz.content.models import Card, Topic

    with django_db_blocker.unblock():
        report = content_load()
    yield report
    with django_db_blocker.unblock():
        Card.related.through.objects.all().delete()
        Card.objects.all().delete()
        Topic.objects.all().delete()
