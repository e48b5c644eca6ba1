"""Writes to the Q&A bank: importing the notes, relating cards, admin edits and merges."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import IntegrityError, transaction

from dlquiz.content.models import Card, Topic
from dlquiz.content.parsing import ParsedCard, note_parse_file, text_normalise
from dlquiz.content.rendering import markdown_render
from dlquiz.content.taxonomy import TOPICS, key_terms, terms_normalised, topic_classify

# Bump when rendering or classification changes so that the next import refreshes every card.
IMPORT_VERSION = "4"
RELATED_FROM_OTHER_NOTES = 4
RELATED_FROM_SAME_NOTE = 2


@dataclass
class NoteImportReport:
    file_name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_edited: int = 0
    retired: int = 0
    edited_questions: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped_edited

    def summary(self) -> str:
        return (
            f"{self.file_name}: {self.total} cards — created {self.created}, updated "
            f"{self.updated}, unchanged {self.unchanged}, skipped (edited in admin) "
            f"{self.skipped_edited}, retired {self.retired}"
        )


@dataclass
class ContentLoadReport:
    notes: list[NoteImportReport]
    related_added: int
    related_removed: int


def topics_sync() -> dict[str, Topic]:
    """Create the taxonomy's topics that are missing. Existing topics keep their (possibly
    admin-edited) names, description, order and visibility."""
    topics = {t.slug: t for t in Topic.objects.all()}
    for position, spec in enumerate(TOPICS):
        if spec.slug not in topics:
            topics[spec.slug] = Topic.objects.create(
                slug=spec.slug,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                description=spec.description,
                position=position,
            )
    return topics


def card_key(*, file_name: str, heading_path: Sequence[str], question: str, occurrence: int) -> str:
    """Stable identity of a card: the note, the nearest heading above and the question itself.
    Edits elsewhere in the note (or line shifts) keep the key."""
    parent = heading_path[-1] if heading_path else ""
    digest = hashlib.sha1(
        f"{text_normalise(parent)}/{text_normalise(question)}".encode()
    ).hexdigest()[:16]
    suffix = f"-{occurrence}" if occurrence > 1 else ""
    return f"{Path(file_name).stem[:60]}:{digest}{suffix}"


def card_content_hash(*, parsed: ParsedCard, topic_slug: str, note_title: str = "") -> str:
    payload = json.dumps(
        [
            IMPORT_VERSION,
            note_title,
            parsed.question,
            parsed.answer,
            list(parsed.heading_path),
            parsed.line_start,
            parsed.line_end,
            topic_slug,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def card_refresh_derived(*, card: Card) -> None:
    """Recompute what is derived from question and answer (rendered HTML, search folds).
    Does not save."""
    card.answer_html = markdown_render(card.answer)
    card.question_norm = text_normalise(card.question)
    card.answer_norm = text_normalise(card.answer)


def note_import(*, path: Path, topics: dict[str, Topic]) -> NoteImportReport:
    """Import one note: create new cards, update changed ones in place, leave admin-edited
    ones alone (and report them), retire cards whose heading left the note.

    Runs in its own transaction, so a note is imported entirely or not at all."""
    note = note_parse_file(path=path)
    report = NoteImportReport(file_name=note.file_name)
    existing = {c.key: c for c in Card.objects.filter(source_file=note.file_name)}
    seen: set[str] = set()
    occurrences: Counter[str] = Counter()
    with transaction.atomic():
        for position, parsed in enumerate(note.cards):
            base = card_key(
                file_name=note.file_name,
                heading_path=parsed.heading_path,
                question=parsed.heading or parsed.question,
                occurrence=1,
            )
            occurrences[base] += 1
            key = card_key(
                file_name=note.file_name,
                heading_path=parsed.heading_path,
                question=parsed.heading or parsed.question,
                occurrence=occurrences[base],
            )
            seen.add(key)
            topic_slug = topic_classify(
                question=parsed.question, heading_path=parsed.heading_path, answer=parsed.answer
            )
            digest = card_content_hash(parsed=parsed, topic_slug=topic_slug, note_title=note.title)
            card = existing.get(key)
            if card is None:
                card = Card(key=key, source_file=note.file_name)
                _card_fill(card=card, parsed=parsed, topic=topics[topic_slug], position=position)
                card.note_title = note.title
                card.content_hash = digest
                card.save()
                report.created += 1
                continue
            if card.is_retired:
                card.is_retired = False
                card.save(update_fields=["is_retired", "updated_at"])
            if card.content_hash == digest:
                report.unchanged += 1
            elif card.edited_in_admin or card.merged_into_id:
                # The text stays as the instructor left it; where it comes from may still change.
                if card.note_title != note.title:
                    card.note_title = note.title
                    card.save(update_fields=["note_title", "updated_at"])
                report.skipped_edited += 1
                report.edited_questions.append(card.question)
            else:
                _card_fill(card=card, parsed=parsed, topic=topics[topic_slug], position=position)
                card.note_title = note.title
                card.content_hash = digest
                card.save()
                report.updated += 1
        gone = [c for k, c in existing.items() if k not in seen and not c.is_retired]
        for card in gone:
            card.is_retired = True
            card.save(update_fields=["is_retired", "updated_at"])
        report.retired = len(gone)
    return report


def _card_fill(*, card: Card, parsed: ParsedCard, topic: Topic, position: int) -> None:
    card.question = parsed.question
    card.answer = parsed.answer
    card.heading_path = " › ".join(parsed.heading_path)[:500]
    card.heading = (parsed.heading or parsed.question)[:500]
    card.line_start = parsed.line_start
    card.line_end = parsed.line_end
    card.position = position
    card.topic = topic
    card_refresh_derived(card=card)


def cards_relate() -> tuple[int, int]:
    """Link each card to the cards that share its concept terms, preferring other notes.

    Terms are taxonomy keywords and Latin words of a card's question and nearest heading,
    weighted by rarity (idf). Only differences are written, so a re-import that changes
    nothing writes nothing. Cards edited in the admin keep their links as they are."""
    cards = list(
        Card.objects.visible().only(
            "id", "question", "heading_path", "source_file", "topic_id", "edited_in_admin"
        )
    )
    terms: dict[int, frozenset[str]] = {}
    for c in cards:
        path = tuple(p for p in c.heading_path.split(" › ") if p)
        terms[c.id] = terms_normalised(key_terms(question=c.question, heading_path=path))
    df: Counter[str] = Counter(t for ts in terms.values() for t in ts)
    n = max(len(cards), 1)
    idf = {t: math.log(n / d) for t, d in df.items()}
    index: dict[str, list[Card]] = defaultdict(list)
    for c in cards:
        for t in terms[c.id]:
            index[t].append(c)
    wanted: set[tuple[int, int]] = set()
    for c in cards:
        scores: Counter[int] = Counter()
        by_id: dict[int, Card] = {}
        for t in terms[c.id]:
            if len(index[t]) > n // 4:
                continue
            for other in index[t]:
                if other.id != c.id:
                    scores[other.id] += idf[t]
                    by_id[other.id] = other
        for oid in scores:
            if by_id[oid].topic_id == c.topic_id:
                scores[oid] += 0.5
        ranked = sorted(scores, key=lambda oid: (-scores[oid], oid))
        others = [o for o in ranked if by_id[o].source_file != c.source_file and scores[o] >= 2]
        same = [o for o in ranked if by_id[o].source_file == c.source_file and scores[o] >= 3]
        for oid in others[:RELATED_FROM_OTHER_NOTES] + same[:RELATED_FROM_SAME_NOTE]:
            wanted.add((min(c.id, oid), max(c.id, oid)))
    edited = {c.id for c in cards if c.edited_in_admin}
    through = Card.related.through
    have = {
        (min(a, b), max(a, b)) for a, b in through.objects.values_list("from_card_id", "to_card_id")
    }
    add = [p for p in wanted - have if not (set(p) & edited)]
    remove = [p for p in have - wanted if not (set(p) & edited)]
    visible_ids = {c.id for c in cards}
    # Links to hidden or retired cards are left alone: they are not shown anyway.
    remove = [p for p in remove if set(p) <= visible_ids]
    with transaction.atomic():
        through.objects.bulk_create(
            [through(from_card_id=a, to_card_id=b) for a, b in add]
            + [through(from_card_id=b, to_card_id=a) for a, b in add],
            ignore_conflicts=True,
        )
        for a, b in remove:
            through.objects.filter(from_card_id=a, to_card_id=b).delete()
            through.objects.filter(from_card_id=b, to_card_id=a).delete()
    return len(add), len(remove)


def content_load(
    *, notes_dir: Path | None = None, stdout: TextIO | None = None
) -> ContentLoadReport:
    """Import every ``*.txt`` note of ``notes_dir`` (default ``settings.DLQUIZ_NOTES_DIR``),
    then recompute related cards. Idempotent."""
    notes_dir = Path(notes_dir or settings.DLQUIZ_NOTES_DIR)
    topics = topics_sync()
    paths = sorted(notes_dir.glob("*.txt"))
    reports: list[NoteImportReport] = []
    for i, path in enumerate(paths, start=1):
        if stdout:
            stdout.write(f"[{i}/{len(paths)}] {path.name} …\n")
        report = note_import(path=path, topics=topics)
        reports.append(report)
        if stdout:
            stdout.write(f"  {report.summary()}\n")
            for question in report.edited_questions:
                stdout.write(f"  kept admin edits: {question[:70]}\n")
    added, removed = cards_relate()
    if stdout:
        total = sum(r.total for r in reports)
        stdout.write(
            f"cards: {total} from {len(reports)} notes; related links +{added} -{removed}\n"
        )
    return ContentLoadReport(notes=reports, related_added=added, related_removed=removed)


def card_admin_save(*, card: Card) -> Card:
    """Save an instructor's edit: derived fields follow the text, and re-imports will leave the
    card alone."""
    card.edited_in_admin = True
    if not card.key:
        card.key = f"manual:{hashlib.sha1(card.question.encode()).hexdigest()[:16]}"
        while Card.objects.filter(key=card.key).exclude(pk=card.pk).exists():
            card.key += "x"
    card_refresh_derived(card=card)
    card.save()
    return card


@transaction.atomic
def card_merge(*, cards: Iterable[Card]) -> Card:
    """Merge cards into the first one (lowest position in the list given).

    The kept card gets the other answers appended, their related cards, and every row of other
    apps that pointed at a merged card (flashcards, quiz questions). A row that would duplicate
    one the kept card already has (unique per user and card) is dropped. Merged cards stay in
    the database, hidden and marked ``merged_into``, so that a re-import does not bring them
    back."""
    cards = list(cards)
    if len(cards) < 2:
        raise ValueError("merging needs at least two cards")
    keep, merged = cards[0], cards[1:]
    extra = [c.answer for c in merged if c.answer.strip() and c.answer.strip() not in keep.answer]
    if extra:
        keep.answer = "\n\n---\n\n".join([keep.answer, *extra])
    for card in merged:
        for rel in Card._meta.related_objects:
            if rel.related_model is Card or not (rel.many_to_one or rel.one_to_one):
                continue
            model, fk = rel.related_model, rel.field.name
            for row in model._default_manager.filter(**{fk: card}):
                setattr(row, fk, keep)
                try:
                    with transaction.atomic():
                        row.save(update_fields=[rel.field.attname])
                except IntegrityError:
                    row.delete()
        for other in card.related.all():
            if other.pk != keep.pk:
                keep.related.add(other)
        card.related.clear()
        card.merged_into = keep
        card.is_hidden = True
        card.save(update_fields=["merged_into", "is_hidden", "updated_at"])
    return card_admin_save(card=keep)
