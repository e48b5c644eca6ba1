"""questions_sync: the authored files load, idempotently, and admin edits survive re-imports."""

from collections import Counter
from io import StringIO

from dlquiz.content.models import Card
from dlquiz.content.parsing import text_normalise
from dlquiz.quiz.models import Question
from dlquiz.quiz.services import questions_sync
from dlquiz.quiz.variants import TEMPLATES


def test_authored_questions_cover_every_topic_and_kind(topics):
    """At least 80 authored questions load, every taxonomy topic has some, all kinds appear."""
    report = questions_sync(stdout=StringIO())
    assert not report.errors and not report.missing_topics
    authored = Question.objects.filter(source=Question.Source.FIXTURE)
    assert authored.count() >= 80
    assert set(authored.values_list("topic__slug", flat=True)) == set(topics)
    assert set(Counter(authored.values_list("kind", flat=True))) == {
        "single",
        "multiple",
        "numeric",
        "short",
    }
    assert Question.objects.filter(source=Question.Source.TEMPLATE).count() == len(TEMPLATES)
    assert all(q.explanation for q in authored)


def test_sync_is_idempotent_and_links_cards_once_they_exist(topics):
    """A second run changes nothing; cards imported later are linked by the next run."""
    first = questions_sync()
    assert first.unresolved_cards
    second = questions_sync()
    assert second.created == second.updated == 0 and second.unchanged == first.created
    Card.objects.create(
        topic=topics["cnn"],
        question="空洞卷积",
        question_norm=text_normalise("空洞卷积"),
        answer="…",
        key="dilated",
    )
    third = questions_sync()
    assert third.updated >= 1
    assert Question.objects.get(key="cnn-dilated-receptive").cards.filter(key="dilated").exists()


def test_admin_edits_are_not_overwritten(topics):
    """A question marked edited in the admin keeps its text through re-imports."""
    questions_sync()
    q = Question.objects.get(key="attn-sqrt-dk-value")
    q.prompt = "instructor's version"
    q.edited_in_admin = True
    q.save()
    report = questions_sync()
    q.refresh_from_db()
    assert q.prompt == "instructor's version" and report.skipped_edited == 1
