"""load_content / the importer: idempotent, updates in place, keeps admin edits."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from dlquiz.content.models import Card, Topic
from dlquiz.content.services import card_admin_save, card_merge, content_load
from dlquiz.content.taxonomy import TOPICS

NOTES = Path(__file__).resolve().parents[2] / "fixtures" / "notes"

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    """A private copy of the notes that a test may edit."""
    target = tmp_path / "notes"
    shutil.copytree(NOTES, target)
    return target


def snapshot() -> dict[str, tuple]:
    return {
        c.key: (c.id, c.question, c.answer, c.answer_html, c.topic_id, c.updated_at)
        for c in Card.objects.all()
    }


def test_load_content_imports_every_note_with_progress_and_summary(notes_dir):
    out = StringIO()
    call_command("load_content", "--notes-dir", str(notes_dir), "--notes-only", stdout=out)
    text = out.getvalue()
    for name in sorted(p.name for p in notes_dir.glob("*.txt")):
        assert f"{name} …" in text
        assert f"{name}: " in text and "created" in text
    assert Card.objects.count() > 180
    assert Topic.objects.count() == len(TOPICS)
    assert 12 <= len(TOPICS) <= 20
    # Every card sits in one topic and every topic of the taxonomy has cards.
    assert not Card.objects.filter(topic__isnull=True).exists()
    assert all(t.cards.exists() for t in Topic.objects.all())
    assert all(c.answer_html for c in Card.objects.all())


def test_second_run_changes_nothing(notes_dir):
    first = content_load(notes_dir=notes_dir)
    before = snapshot()
    links_before = set(Card.related.through.objects.values_list("from_card_id", "to_card_id"))
    second = content_load(notes_dir=notes_dir)
    assert snapshot() == before
    assert set(Card.related.through.objects.values_list("from_card_id", "to_card_id")) == (
        links_before
    )
    assert all(r.created == r.updated == 0 for r in second.notes)
    assert sum(r.unchanged for r in second.notes) == sum(r.created for r in first.notes)
    assert second.related_added == second.related_removed == 0


def test_changed_note_updates_its_cards_in_place(notes_dir):
    content_load(notes_dir=notes_dir)
    note = notes_dir / "000_cec37892dd650e11.txt"
    card = Card.objects.get(heading="为什么需要激活函数？")
    other = Card.objects.get(heading="使用预训练模型的好处")
    text = note.read_text(encoding="utf-8")
    # An edited answer and two extra lines near the top (every later line number shifts).
    text = text.replace("激活函数是用来加入非线性因素的", "激活函数为网络加入非线性因素的", 1)
    text = text.replace("1.1 预训练和微调任务", "补充说明。\n\n1.1 预训练和微调任务", 1)
    note.write_text(text, encoding="utf-8")

    report = content_load(notes_dir=notes_dir)
    by_file = {r.file_name: r for r in report.notes}
    assert by_file[note.name].created == 0
    assert by_file[note.name].updated >= 1
    assert all(r.unchanged and not r.updated for n, r in by_file.items() if n != note.name)
    card.refresh_from_db()
    other.refresh_from_db()
    assert "为网络加入非线性因素" in card.answer and "为网络加入非线性因素" in card.answer_html
    assert other.line_start == 18  # was 16
    assert card.id == Card.objects.get(heading="为什么需要激活函数？").id
    assert Card.objects.filter(heading="为什么需要激活函数？").count() == 1


def test_admin_edits_survive_a_reimport_and_are_reported(notes_dir):
    content_load(notes_dir=notes_dir)
    card = Card.objects.get(heading="为什么需要激活函数？")
    card.answer = "讲师改写的答案：引入非线性。"
    card_admin_save(card=card)
    note = notes_dir / "000_cec37892dd650e11.txt"
    note.write_text(
        note.read_text(encoding="utf-8").replace("线性模型的表达能力不够", "线性模型表达力有限"),
        encoding="utf-8",
    )
    out = StringIO()
    call_command("load_content", "--notes-dir", str(notes_dir), "--notes-only", stdout=out)
    card.refresh_from_db()
    assert card.answer == "讲师改写的答案：引入非线性。"
    assert "引入非线性" in card.answer_html
    assert "skipped (edited in admin) 1" in out.getvalue()
    assert "kept admin edits: 为什么需要激活函数？" in out.getvalue()


def test_heading_removed_from_a_note_retires_its_card(notes_dir):
    content_load(notes_dir=notes_dir)
    card = Card.objects.get(heading="早停法")
    note = notes_dir / "000_cec37892dd650e11.txt"
    note.write_text(
        note.read_text(encoding="utf-8").replace("4.5 早停法\n", "", 1), encoding="utf-8"
    )
    report = content_load(notes_dir=notes_dir)
    card.refresh_from_db()
    assert card.is_retired
    assert not Card.objects.visible().filter(pk=card.pk).exists()
    assert sum(r.retired for r in report.notes) == 1


def test_same_concept_from_different_notes_lands_in_one_topic(notes_dir):
    content_load(notes_dir=notes_dir)

    def topic_of(question: str, note_prefix: str) -> str:
        cards = Card.objects.filter(heading=question, source_file__startswith=note_prefix)
        assert cards.exists(), question
        return cards.first().topic.slug

    assert topic_of("LSTM", "000") == topic_of("LSTM", "002") == topic_of("GRU", "004") == "rnn"
    assert topic_of("为什么除以根号dk呢？", "004") == topic_of("多头注意力", "000") == "attention"
    assert topic_of("batch normalization", "003") == topic_of("为什么需要BN", "001")
    assert topic_of("ResNet-18", "002") == topic_of("ResNet", "003") == "cnn-architectures"
    assert topic_of("交叉熵损失", "000") == topic_of("交叉熵", "004") == "losses"


def test_cards_link_to_related_cards_from_other_notes(notes_dir):
    content_load(notes_dir=notes_dir)
    lstm = Card.objects.get(heading="LSTM", source_file__startswith="000")
    related = list(lstm.related.all())
    assert related
    assert any(r.source_file != lstm.source_file for r in related)
    assert any("lstm" in r.question.lower() for r in related)
    # Links are symmetric.
    assert all(lstm in r.related.all() for r in related)


def test_merge_keeps_the_first_card_and_hides_the_others_for_good(notes_dir):
    content_load(notes_dir=notes_dir)
    a, b = Card.objects.filter(heading="为什么除以根号dk呢？").order_by("position")
    b_neighbours = set(b.related.values_list("id", flat=True)) - {a.id}
    keep = card_merge(cards=[a, b])
    b.refresh_from_db()
    assert keep.pk == a.pk and keep.edited_in_admin
    assert b.merged_into_id == a.pk and b.is_hidden
    assert b_neighbours <= set(keep.related.values_list("id", flat=True))
    content_load(notes_dir=notes_dir)
    b.refresh_from_db()
    assert b.is_hidden and b.merged_into_id == a.pk
    assert Card.objects.visible().filter(heading="为什么除以根号dk呢？").count() == 1


def test_admin_renamed_topic_keeps_its_name(notes_dir):
    content_load(notes_dir=notes_dir)
    Topic.objects.filter(slug="rnn").update(name_zh="RNN 家族")
    content_load(notes_dir=notes_dir)
    assert Topic.objects.get(slug="rnn").name_zh == "RNN 家族"


@pytest.mark.django_db
def test_cards_keep_the_identity_they_had_before_questions_were_phrased(loaded_content):
    """A card's key comes from its heading, as before headings were phrased as questions, so a
    re-import of an older bank updates the same rows and students keep their progress."""
    from dlquiz.content.services import card_key

    card = Card.objects.get(heading="激活函数", source_file__startswith="000")
    assert card.question == "简述激活函数"
    assert card.key == card_key(
        file_name=card.source_file,
        heading_path=("神经网络基础",),
        question="激活函数",
        occurrence=1,
    )
    assert card.note_title == "神经网络基础"
    assert card.section == "神经网络基础"
    assert Card.objects.get(heading="RNN：缺点").section == "神经网络基础 › 循环神经网络 › RNN"
