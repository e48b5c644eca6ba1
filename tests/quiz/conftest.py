from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from dlquiz.content.models import Card, Topic
from dlquiz.content.taxonomy import TOPICS
from dlquiz.quiz.models import Question


@pytest.fixture
def topics(db) -> dict[str, Topic]:
    return {
        spec.slug: Topic.objects.create(
            slug=spec.slug, name_zh=spec.name_zh, name_en=spec.name_en, position=i
        )
        for i, spec in enumerate(TOPICS)
    }


@pytest.fixture
def cards(topics) -> list[Card]:
    return [
        Card.objects.create(
            topic=topics["cnn"] if i % 2 else topics["attention"],
            question=f"问题 {i}：空洞卷积 {i}" if i % 2 else f"为什么除以根号dk {i}",
            answer=f"答案 {i}",
            answer_html=f"<p>答案 {i}</p>",
            key=f"card-{i}",
        )
        for i in range(6)
    ]


@pytest.fixture
def student(db):
    return get_user_model().objects.create_user("student", password="pw-student-123")


@pytest.fixture
def other_student(db):
    return get_user_model().objects.create_user("other", password="pw-other-123")


@pytest.fixture
def questions(topics, cards) -> list[Question]:
    """One question of each kind in `cnn`, each linked to a card, plus a template question."""
    cnn = topics["cnn"]
    made = [
        Question.objects.create(
            key="q-single",
            topic=cnn,
            kind="single",
            prompt="single?",
            choices=["a", "b", "c"],
            answer={"choice": 1},
            explanation="because b",
        ),
        Question.objects.create(
            key="q-multiple",
            topic=cnn,
            kind="multiple",
            prompt="multiple?",
            choices=["a", "b", "c", "d"],
            answer={"choices": [0, 2]},
            explanation="a and c",
        ),
        Question.objects.create(
            key="q-numeric",
            topic=cnn,
            kind="numeric",
            prompt="55?",
            answer={"value": 55, "tolerance": 0.5},
            explanation="(227-11)/4+1",
        ),
        Question.objects.create(
            key="q-short",
            topic=cnn,
            kind="short",
            prompt="name?",
            answer={"accept": ["转置卷积"], "patterns": ["(transposed\\s+)?conv(olution)?"]},
        ),
        Question.objects.create(
            key="template-conv-output-size",
            topic=cnn,
            kind="numeric",
            prompt="template",
            template="conv-output-size",
            source=Question.Source.TEMPLATE,
        ),
    ]
    for q, card in zip(made, [c for c in cards if c.topic_id == cnn.pk] * 2):
        q.cards.add(card)
    return made
