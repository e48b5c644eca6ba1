"""Exercises link to the note cards they come from: every card question a package names
resolves to a card that contains it, the sync links them idempotently, and the exercise page
shows the links."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from dlquiz.coding.models import Exercise
from dlquiz.coding.services import exercises_sync
from dlquiz.content.parsing import text_normalise
from exercises.registry import exercise_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    call_command("load_content", stdout=io.StringIO())


def test_every_named_card_resolves_to_a_card_that_contains_it(content):
    """After load_content, each exercise is linked to one card per question its package names,
    and each linked card's question contains that text; a second sync changes nothing."""
    for package in exercise_list():
        row = Exercise.objects.get(slug=package.slug)
        linked = list(row.cards.all())
        assert len(linked) == len(set(c.pk for c in linked))
        for snippet in package.cards:
            assert any(text_normalise(snippet) in c.question_norm for c in linked), (
                package.slug,
                snippet,
            )
    before = {
        row.slug: set(row.cards.values_list("pk", flat=True)) for row in Exercise.objects.all()
    }
    assert exercises_sync()["updated"] == 0
    after = {
        row.slug: set(row.cards.values_list("pk", flat=True)) for row in Exercise.objects.all()
    }
    assert before == after


def test_the_exercise_page_links_to_its_cards(content, client):
    """The exercise page lists the linked cards under "From the notes", each a link."""
    client.force_login(User.objects.create_user(username="ada", password="x"))
    row = Exercise.objects.get(slug="softmax")
    assert row.cards.exists()
    page = client.get("/exercises/softmax/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "From the notes" in page
    for card in row.cards.all():
        assert f"/cards/{card.pk}/" in page
