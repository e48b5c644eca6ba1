"""Writes of the quiz app: question import, FSRS reviews, exam attempts and their grading."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO

import yaml
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from dlquiz.content.models import Card, Topic
from dlquiz.courses.selectors import attempt_results_withheld
from dlquiz.quiz.grading import (
    KINDS,
    AnswerError,
    AnswerValue,
    Expected,
    answer_is_correct,
    answer_parse,
    kind_get,
)
from dlquiz.quiz.models import (
    AttemptItem,
    Exam,
    ExamAttempt,
    Question,
    ReviewLog,
    ReviewSettings,
    ReviewState,
)
from dlquiz.quiz.signals import attempt_graded
from dlquiz.quiz.variants import TEMPLATES, Variant, variant_generate

RATINGS: dict[str, Rating] = {
    "again": Rating.Again,
    "hard": Rating.Hard,
    "good": Rating.Good,
    "easy": Rating.Easy,
}
MAX_QUESTIONS = 50
MAX_TIME_LIMIT_MINUTES = 240


class QuizInputError(ValueError):
    """Invalid input from a student, with the field it concerns (an API 400 with field messages).

    `message` is the English text the API returns; pages translate `template` and fill in
    `params` themselves, so the API's messages stay the same whatever the request's language."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        text = message % params if params else message
        super().__init__(text)
        self.field = field
        self.message = text
        self.template = message
        self.params = params


class AttemptClosed(Exception):
    """The attempt is graded or past its deadline; the answer was not recorded."""


# --- question import --------------------------------------------------------------------------


@dataclass
class QuestionSyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_edited: int = 0
    deactivated: int = 0
    missing_topics: set[str] = field(default_factory=set)
    unresolved_cards: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _questions_dir() -> Path:
    return Path(
        getattr(settings, "DLQUIZ_QUESTIONS_DIR", settings.BASE_DIR / "fixtures" / "questions")
    )


def _expected_from_fixture(raw: dict, kind: str) -> Expected:
    if kind == "single":
        return {"choice": int(raw["answer"])}
    if kind == "multiple":
        return {"choices": sorted(int(i) for i in raw["answer"])}
    if kind == "numeric":
        expected: Expected = {
            "value": float(raw["answer"]),
            "tolerance": float(raw.get("tolerance", 0)),
        }
        if "rel_tolerance" in raw:
            expected["rel_tolerance"] = float(raw["rel_tolerance"])
        return expected
    return {
        "accept": [str(a) for a in raw.get("accept", [])],
        "patterns": [str(p) for p in raw.get("patterns", [])],
    }


def _fixture_questions(directory: Path, report: QuestionSyncReport) -> list[dict]:
    out: list[dict] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            report.errors.append(f"{path.name}: {exc}")
            continue
        default_topic = data.get("topic", "")
        for raw in data.get("questions", []):
            kind = raw.get("kind")
            if kind not in KINDS or "key" not in raw or "prompt" not in raw:
                report.errors.append(f"{path.name}: malformed question {raw.get('key', '?')}")
                continue
            choices = [str(c) for c in raw.get("choices", [])]
            try:
                expected = _expected_from_fixture(raw, kind)
            except (KeyError, TypeError, ValueError) as exc:
                report.errors.append(f"{path.name}: {raw['key']}: bad answer ({exc})")
                continue
            out.append(
                {
                    "key": str(raw["key"]),
                    "topic": str(raw.get("topic", default_topic)),
                    "kind": kind,
                    "prompt": str(raw["prompt"]).strip(),
                    "choices": choices,
                    "answer": expected,
                    "explanation": str(raw.get("explanation", "")).strip(),
                    "card_snippets": [str(c) for c in raw.get("cards", [])],
                    "template": "",
                    "source": Question.Source.FIXTURE,
                }
            )
    return out


def _template_questions() -> list[dict]:
    out = []
    for key, template in TEMPLATES.items():
        info = template.info()
        example = variant_generate(key=key, seed=0)
        out.append(
            {
                "key": f"template-{key}",
                "topic": info.topic,
                "kind": info.kind,
                "prompt": f"{info.title}（参数每次随机生成）。例如：{example.prompt}",
                "choices": [],
                "answer": {},
                "explanation": example.explanation,
                "card_snippets": list(info.card_snippets),
                "template": key,
                "source": Question.Source.TEMPLATE,
            }
        )
    return out


def _hash(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def questions_sync(
    *, stdout: IO[str] | None = None, directory: Path | None = None
) -> QuestionSyncReport:
    """Import fixtures/questions/*.yaml and the templates of variants.py, idempotently.

    A question is identified by its `key`. A question edited in the admin (`edited_in_admin`)
    is left alone; a fixture question whose key disappeared is deactivated, never deleted (past
    attempts refer to it). Card links are resolved with content's `card_find` on every run, so
    cards imported after the questions are picked up by the next run."""
    from dlquiz.content.selectors import card_find

    report = QuestionSyncReport()
    specs = _fixture_questions(directory or _questions_dir(), report) + _template_questions()
    topics = {t.slug: t for t in Topic.objects.all()}
    found: dict[str, Card | None] = {}
    seen: set[str] = set()
    with transaction.atomic():
        existing = {q.key: q for q in Question.objects.prefetch_related("cards")}
        for spec in specs:
            key = spec["key"]
            if key in seen:
                report.errors.append(f"duplicate key {key}")
                continue
            seen.add(key)
            topic = topics.get(spec["topic"])
            if topic is None:
                report.missing_topics.add(spec["topic"])
                continue
            cards: list[Card] = []
            for snippet in spec["card_snippets"]:
                if snippet not in found:
                    found[snippet] = card_find(text=snippet)
                card = found[snippet]
                if card is None:
                    report.unresolved_cards.append((key, snippet))
                elif card not in cards:
                    cards.append(card)
            digest = _hash(spec)
            fields = {
                "topic": topic,
                "kind": spec["kind"],
                "prompt": spec["prompt"],
                "choices": spec["choices"],
                "answer": spec["answer"],
                "explanation": spec["explanation"],
                "card_snippets": spec["card_snippets"],
                "template": spec["template"],
                "source": spec["source"],
                "content_hash": digest,
                "is_active": True,
            }
            question = existing.get(key)
            if question is None:
                question = Question.objects.create(key=key, **fields)
                question.cards.set(cards)
                report.created += 1
                continue
            if question.edited_in_admin:
                report.skipped_edited += 1
                continue
            changed = question.content_hash != digest or not question.is_active
            if changed:
                for name, value in fields.items():
                    setattr(question, name, value)
                question.save()
            card_ids = {c.pk for c in cards}
            if card_ids != {c.pk for c in question.cards.all()}:
                question.cards.set(cards)
                changed = True
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
        gone = [
            q
            for key, q in existing.items()
            if key not in seen
            and q.is_active
            and not q.edited_in_admin
            and q.source != Question.Source.ADMIN
        ]
        for question in gone:
            question.is_active = False
            question.save(update_fields=["is_active", "updated_at"])
        report.deactivated = len(gone)
    if stdout is not None:
        stdout.write(
            f"questions: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.skipped_edited} edited in admin (kept), "
            f"{report.deactivated} deactivated\n"
        )
        for slug in sorted(report.missing_topics):
            stdout.write(f"  unknown topic {slug!r}: its questions were skipped\n")
        for key, snippet in report.unresolved_cards:
            stdout.write(f"  unresolved card link in {key}: {snippet!r}\n")
        for error in report.errors:
            stdout.write(f"  error: {error}\n")
    return report


# --- reviews (FSRS) ---------------------------------------------------------------------------


def review_scheduler(*, desired_retention: float = ReviewSettings.DEFAULT_RETENTION) -> Scheduler:
    """The FSRS scheduler; fuzzing off by default so that due dates are reproducible."""
    return Scheduler(
        desired_retention=desired_retention,
        enable_fuzzing=bool(getattr(settings, "DLQUIZ_FSRS_FUZZING", False)),
    )


def review_settings_of(*, user: User) -> ReviewSettings:
    """The student's review settings (defaults, unsaved, for a student who never changed them)."""
    found = ReviewSettings.objects.filter(user=user).first()
    return found or ReviewSettings(user=user)


def review_due_capped(*, due: datetime, exam_date: date | None, now: datetime) -> datetime:
    """Exam-date mode: a card FSRS would schedule after the day before the exam comes due on
    that day instead (never before `now`), so that everything is seen again before the exam.
    Without an exam date, or once the exam is past, FSRS's date stands."""
    if exam_date is None:
        return due
    tz = timezone.get_current_timezone()
    last_day = datetime.combine(exam_date - timedelta(days=1), time.min, tzinfo=tz)
    if last_day <= now:
        return due if exam_date < timezone.localdate(now) else min(due, now)
    return min(due, last_day)


def review_settings_update(
    *, user: User, desired_retention: object, exam_date: object, today: date | None = None
) -> ReviewSettings:
    """Change the student's desired retention (0.70-0.97) and exam date (empty: none; else a
    day after today). Raises QuizInputError naming the field on bad input; nothing is saved
    then."""
    today = today or timezone.localdate()
    try:
        retention = float(str(desired_retention).strip())
    except ValueError:
        raise QuizInputError("desired_retention", gettext_noop("Enter a number.")) from None
    if retention > 1 and retention <= 100:
        retention /= 100  # "90" means 90 %
    if not ReviewSettings.MIN_RETENTION <= retention <= ReviewSettings.MAX_RETENTION:
        raise QuizInputError(
            "desired_retention",
            gettext_noop("must be between %(low)s and %(high)s"),
            low=ReviewSettings.MIN_RETENTION,
            high=ReviewSettings.MAX_RETENTION,
        )
    parsed: date | None = None
    raw = str(exam_date or "").strip()
    if raw:
        try:
            parsed = date.fromisoformat(raw)
        except ValueError:
            raise QuizInputError("exam_date", gettext_noop("Enter a date as YYYY-MM-DD.")) from None
        if parsed <= today:
            raise QuizInputError("exam_date", gettext_noop("The exam date must be after today."))
    prefs, _created = ReviewSettings.objects.update_or_create(
        user=user, defaults={"desired_retention": round(retention, 3), "exam_date": parsed}
    )
    return prefs


def review_rate(*, user: User, card: Card, rating: str, now: datetime | None = None) -> ReviewState:
    """Rate one card for `user` (again/hard/good/easy) and store the next due date from FSRS.

    Runs in one transaction with the state row locked, so two quick ratings cannot interleave."""
    if rating not in RATINGS:
        raise QuizInputError(
            "rating", gettext_noop("must be one of %(ratings)s"), ratings=", ".join(RATINGS)
        )
    now = now or timezone.now()
    prefs = review_settings_of(user=user)
    with transaction.atomic():
        state = ReviewState.objects.select_for_update().filter(user=user, card=card).first()
        if state is None:
            fsrs_card = FsrsCard(card_id=card.pk, due=now)
            previous, previous_reps, was_new = None, 0, True
        else:
            fsrs_card = FsrsCard.from_dict(state.fsrs_card)
            previous, previous_reps, was_new = state.fsrs_card, state.reps, False
        new_card, _log = review_scheduler(desired_retention=prefs.desired_retention).review_card(
            fsrs_card, RATINGS[rating], review_datetime=now
        )
        new_card.due = review_due_capped(due=new_card.due, exam_date=prefs.exam_date, now=now)
        stored = new_card.to_dict()
        if state is None:
            state = ReviewState(user=user, card=card, introduced_at=now)
        state.fsrs_card = stored
        state.due = new_card.due
        state.last_review = now
        state.reps = previous_reps + 1
        state.save()
        ReviewLog.objects.create(
            user=user,
            card=card,
            rating=int(RATINGS[rating]),
            source=ReviewLog.Source.REVIEW,
            reviewed_at=now,
            previous=previous,
            previous_reps=previous_reps,
            was_new=was_new,
        )
    return state


def review_undo(*, user: User) -> ReviewLog | None:
    """Undo the student's last rating: restore the card's state before it (or make it new again).

    Returns the undone log (no longer in the database), or None when there is nothing to undo."""
    with transaction.atomic():
        log = (
            ReviewLog.objects.select_for_update()
            .filter(user=user, source=ReviewLog.Source.REVIEW)
            .order_by("-reviewed_at", "-id")
            .first()
        )
        if log is None:
            return None
        state = (
            ReviewState.objects.select_for_update().filter(user=user, card_id=log.card_id).first()
        )
        if state is not None:
            if log.previous is None:
                state.delete()
            else:
                restored = FsrsCard.from_dict(log.previous)
                state.fsrs_card = log.previous
                state.due = restored.due
                state.last_review = restored.last_review
                state.reps = log.previous_reps
                state.save()
        log.delete()
    return log


def review_make_due(*, user: User, cards: Iterable[Card], now: datetime | None = None) -> int:
    """Put `cards` in the student's review queue now (a wrong exam answer). Returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        for card in cards:
            state = ReviewState.objects.select_for_update().filter(user=user, card=card).first()
            if state is None:
                fsrs_card = FsrsCard(card_id=card.pk, due=now)
                state = ReviewState(user=user, card=card, introduced_at=now, reps=0)
                previous = None
            else:
                fsrs_card = FsrsCard.from_dict(state.fsrs_card)
                previous = state.fsrs_card
                if fsrs_card.due <= now:
                    continue
                fsrs_card.due = now
            state.fsrs_card = fsrs_card.to_dict()
            state.due = now
            state.save()
            ReviewLog.objects.create(
                user=user,
                card=card,
                source=ReviewLog.Source.EXAM,
                reviewed_at=now,
                previous=previous,
                previous_reps=state.reps,
            )
            count += 1
    return count


# --- exam attempts ----------------------------------------------------------------------------


def _expected_for_variant(variant: Variant) -> Expected:
    if variant.kind == "numeric":
        return {"value": float(variant.answer), "tolerance": variant.tolerance}
    return {"accept": [str(variant.answer)], "patterns": list(variant.patterns)}


def _item_for(*, question: Question, rng: random.Random) -> dict:
    """Prompt, choices (shuffled) and expected answer of one drawn question."""
    if question.template:
        seed = rng.randrange(2**31)
        variant = variant_generate(key=question.template, seed=seed)
        return {
            "kind": variant.kind,
            "prompt": variant.prompt,
            "choices": [],
            "params": {"template": question.template, "seed": seed, **variant.params},
            "expected": _expected_for_variant(variant),
            "explanation": variant.explanation,
        }
    choices = list(question.choices)
    expected: Expected = dict(question.answer)  # type: ignore[assignment]
    params: dict = {}
    if question.kind in ("single", "multiple") and choices:
        order = list(range(len(choices)))
        rng.shuffle(order)
        shown = [choices[i] for i in order]
        if question.kind == "single":
            expected = {"choice": order.index(int(question.answer["choice"]))}
        else:
            expected = {"choices": sorted(order.index(int(i)) for i in question.answer["choices"])}
        choices, params = shown, {"order": order}
    return {
        "kind": question.kind,
        "prompt": question.prompt,
        "choices": choices,
        "params": params,
        "expected": expected,
        "explanation": question.explanation,
    }


def _attempt_build(
    *,
    user: User,
    questions: list[Question],
    rng: random.Random,
    seed: int,
    topics: list[str],
    time_limit_minutes: int,
    exam: Exam | None,
    now: datetime,
) -> ExamAttempt:
    attempt = ExamAttempt.objects.create(
        user=user,
        exam=exam,
        topics=topics,
        seed=seed,
        time_limit_minutes=time_limit_minutes,
        started_at=now,
        deadline=now + timedelta(minutes=time_limit_minutes),
        max_score=len(questions),
    )
    AttemptItem.objects.bulk_create(
        AttemptItem(attempt=attempt, position=i, question=q, **_item_for(question=q, rng=rng))
        for i, q in enumerate(questions, start=1)
    )
    return attempt


def attempt_create(
    *,
    user: User,
    topics: list[str],
    count: int,
    time_limit_minutes: int,
    now: datetime | None = None,
    seed: int | None = None,
) -> ExamAttempt:
    """Start a practice exam: a fixed draw of `count` active questions from `topics`.

    Raises QuizInputError for unknown topics, a count or time limit out of range, or topics
    without questions. The draw (questions, choice order, variant numbers and answers) is stored
    with the attempt, so the attempt never changes afterwards."""
    now = now or timezone.now()
    topics = sorted(set(topics))
    if not topics:
        raise QuizInputError("topics", gettext_noop("choose at least one topic"))
    known = set(Topic.objects.filter(slug__in=topics).values_list("slug", flat=True))
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise QuizInputError(
            "topics", gettext_noop("unknown topic(s): %(topics)s"), topics=", ".join(unknown)
        )
    if not 1 <= count <= MAX_QUESTIONS:
        raise QuizInputError(
            "count", gettext_noop("must be between 1 and %(max)d"), max=MAX_QUESTIONS
        )
    if not 1 <= time_limit_minutes <= MAX_TIME_LIMIT_MINUTES:
        raise QuizInputError(
            "time_limit_minutes",
            gettext_noop("must be between 1 and %(max)d"),
            max=MAX_TIME_LIMIT_MINUTES,
        )
    pool = list(Question.objects.filter(is_active=True, topic__slug__in=topics).order_by("id"))
    if not pool:
        raise QuizInputError("topics", gettext_noop("these topics have no questions yet"))
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)
    drawn = rng.sample(pool, min(count, len(pool)))
    return _attempt_build(
        user=user,
        questions=drawn,
        rng=rng,
        seed=seed,
        topics=topics,
        time_limit_minutes=time_limit_minutes,
        exam=None,
        now=now,
    )


def exam_attempt_start(*, user: User, exam: Exam, now: datetime | None = None) -> ExamAttempt:
    """Start an instructor-defined exam: its questions in order, within its open window."""
    now = now or timezone.now()
    if not exam.is_published:
        raise QuizInputError("exam", gettext_noop("this exam is not published"))
    if exam.opens_at and now < exam.opens_at:
        raise QuizInputError("exam", gettext_noop("this exam is not open yet"))
    if exam.closes_at and now >= exam.closes_at:
        raise QuizInputError("exam", gettext_noop("this exam is closed"))
    questions = [eq.question for eq in exam.exam_questions.select_related("question")]
    if not questions:
        raise QuizInputError("exam", gettext_noop("this exam has no questions"))
    minutes = exam.time_limit_minutes
    seed = random.SystemRandom().randrange(2**31)
    attempt = _attempt_build(
        user=user,
        questions=questions,
        rng=random.Random(seed),
        seed=seed,
        topics=sorted({q.topic.slug for q in questions}),
        time_limit_minutes=minutes,
        exam=exam,
        now=now,
    )
    if exam.closes_at and attempt.deadline > exam.closes_at:
        attempt.deadline = exam.closes_at
        attempt.save(update_fields=["deadline"])
    return attempt


def attempt_grade(*, attempt: ExamAttempt, now: datetime | None = None) -> ExamAttempt:
    """Grade an attempt once (a graded attempt is returned as is) and queue wrong answers' cards.

    An attempt past its deadline is marked timed out and finishes at the deadline. Once the
    grade commits, `attempt_graded` is sent (dlquiz.quiz.signals)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = ExamAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status == ExamAttempt.Status.GRADED:
            return attempt
        items = list(attempt.items.select_related("question").prefetch_related("question__cards"))
        score = 0
        for item in items:
            item.is_correct = answer_is_correct(
                kind=kind_get(item.kind), expected=item.expected, given=item.answer
            )
            score += int(item.is_correct)
        AttemptItem.objects.bulk_update(items, ["is_correct"])
        attempt.timed_out = now > attempt.deadline
        attempt.finished_at = min(now, attempt.deadline)
        attempt.score = score
        attempt.max_score = len(items)
        attempt.status = ExamAttempt.Status.GRADED
        attempt.save()
        # A card due at once would tell the student which answers were wrong: an exam-mode
        # assignment queues them when it releases its results (courses.services).
        if not attempt_results_withheld(viewer=attempt.user, attempt_ids=[attempt.pk]):
            attempt_review_queue(attempt=attempt, items=items, now=attempt.finished_at)
        graded = attempt

        def announce() -> None:
            attempt_graded.send(sender=ExamAttempt, attempt=graded)

        transaction.on_commit(announce, robust=True)
    return attempt


def attempt_review_queue(
    *, attempt: ExamAttempt, items: list[AttemptItem] | None = None, now: datetime | None = None
) -> int:
    """Put the cards of a graded attempt's wrong answers in its student's review queue."""
    if items is None:
        items = list(attempt.items.prefetch_related("question__cards"))
    cards: list[Card] = []
    for item in items:
        if item.is_correct is False:
            cards.extend(c for c in item.question.cards.all() if c not in cards)
    return review_make_due(user=attempt.user, cards=cards, now=now)


def attempt_refresh(*, attempt: ExamAttempt, now: datetime | None = None) -> ExamAttempt:
    """Grade the attempt if its deadline has passed; otherwise return it unchanged."""
    now = now or timezone.now()
    if attempt.status == ExamAttempt.Status.IN_PROGRESS and now > attempt.deadline:
        return attempt_grade(attempt=attempt, now=now)
    return attempt


def attempt_answer(
    *, attempt: ExamAttempt, position: int, answer: AnswerValue, now: datetime | None = None
) -> AttemptItem:
    """Record (autosave) the answer to one item of an attempt in progress.

    Raises AttemptClosed after the deadline (and grades the attempt then: the late answer is
    ignored) or once graded; QuizInputError for a missing position or a malformed answer."""
    now = now or timezone.now()
    attempt = attempt_refresh(attempt=attempt, now=now)
    if attempt.status != ExamAttempt.Status.IN_PROGRESS:
        raise AttemptClosed("this attempt is finished")
    item = attempt.items.filter(position=position).first()
    if item is None:
        raise QuizInputError("position", "no such question in this attempt")
    try:
        value = answer_parse(kind=kind_get(item.kind), given=answer)
    except AnswerError as exc:
        raise QuizInputError("answer", str(exc)) from exc
    if isinstance(value, int) and item.kind == "single" and not 0 <= value < len(item.choices):
        raise QuizInputError("answer", "no such choice")
    if isinstance(value, list) and any(not 0 <= v < len(item.choices) for v in value):
        raise QuizInputError("answer", "no such choice")
    with transaction.atomic():
        locked = ExamAttempt.objects.select_for_update().get(pk=attempt.pk)
        # Re-checked under the lock: grading may have happened since the first check.
        if locked.status != ExamAttempt.Status.IN_PROGRESS or now > locked.deadline:
            raise AttemptClosed("this attempt is finished")
        item.answer = value
        item.answered_at = now
        item.save(update_fields=["answer", "answered_at"])
    return item


def attempt_finish(*, attempt: ExamAttempt, now: datetime | None = None) -> ExamAttempt:
    return attempt_grade(attempt=attempt, now=now)


def attempts_expired_grade(*, now: datetime | None = None) -> int:
    """Periodic sweep: grade every attempt past its deadline. Returns how many were graded."""
    now = now or timezone.now()
    expired = ExamAttempt.objects.filter(status=ExamAttempt.Status.IN_PROGRESS, deadline__lt=now)
    count = 0
    for attempt in expired:
        attempt_grade(attempt=attempt, now=now)
        count += 1
    return count
