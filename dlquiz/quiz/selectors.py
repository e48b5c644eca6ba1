"""Reads of the quiz app: review queues, attempt results, mastery, streaks, question statistics."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from fsrs import Card as FsrsCard

from dlquiz.content.models import Card, Topic
from dlquiz.courses.selectors import (
    attempt_results_withheld,
    withheld_attempt_ids,
    withheld_submission_ids,
)
from dlquiz.quiz.grading import expected_describe
from dlquiz.quiz.models import AttemptItem, ExamAttempt, Question, ReviewLog, ReviewState
from dlquiz.quiz.services import (
    RATINGS,
    review_due_capped,
    review_scheduler,
    review_settings_of,
)


def exercise_topics() -> dict[str, str]:
    """Exercise slug -> the topic its grades count towards, as each package declares it."""
    from exercises.registry import exercise_list

    return {exercise.slug: exercise.topic for exercise in exercise_list()}


def new_cards_per_day() -> int:
    return int(getattr(settings, "DLQUIZ_NEW_CARDS_PER_DAY", 20))


def _day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class ReviewQueue:
    due: list[ReviewState]
    new: list[Card]
    due_count: int
    new_left_today: int

    @property
    def next_card(self) -> Card | None:
        if self.due:
            return self.due[0].card
        return self.new[0] if self.new else None

    @property
    def total(self) -> int:
        return self.due_count + len(self.new)


def review_queue(
    *, user, topic: Topic | None = None, now: datetime | None = None, limit: int = 50
) -> ReviewQueue:
    """Today's queue: cards due now (earliest first), then new cards up to the daily limit."""
    now = now or timezone.now()
    due_qs = ReviewState.objects.filter(user=user, due__lte=now).select_related(
        "card", "card__topic"
    )
    due_qs = due_qs.filter(card__is_hidden=False, card__merged_into__isnull=True)
    if topic is not None:
        due_qs = due_qs.filter(card__topic=topic)
    due_count = due_qs.count()
    due = list(due_qs.order_by("due", "id")[:limit])
    introduced_today = ReviewLog.objects.filter(
        user=user, source=ReviewLog.Source.REVIEW, was_new=True, reviewed_at__gte=_day_start(now)
    ).count()
    new_left = max(0, new_cards_per_day() - introduced_today)
    new: list[Card] = []
    if new_left:
        new_qs = (
            Card.objects.visible()
            .exclude(review_states__user=user)
            .select_related("topic")
            .order_by("topic__position", "source_file", "position", "id")
        )
        if topic is not None:
            new_qs = new_qs.filter(topic=topic)
        new = list(new_qs[: min(new_left, limit)])
    return ReviewQueue(due=due, new=new, due_count=due_count, new_left_today=new_left)


@dataclass(frozen=True)
class TopicDue:
    topic: Topic
    due: int


def review_due_by_topic(*, user, now: datetime | None = None) -> list[TopicDue]:
    now = now or timezone.now()
    counts: dict[int, int] = defaultdict(int)
    for topic_id in ReviewState.objects.filter(user=user, due__lte=now).values_list(
        "card__topic_id", flat=True
    ):
        counts[topic_id] += 1
    topics = Topic.objects.visible().filter(pk__in=counts)
    return [TopicDue(topic=t, due=counts[t.pk]) for t in topics]


def attempt_get_for_user(*, user, attempt_id: int) -> ExamAttempt:
    """The user's own attempt, or Http404 (another student's attempt does not exist for them)."""
    attempt = ExamAttempt.objects.filter(pk=attempt_id, user=user).select_related("exam").first()
    if attempt is None:
        raise Http404("no such attempt")
    return attempt


def attempt_withheld(*, attempt: ExamAttempt, viewer) -> bool:
    """Whether an exam-mode assignment still withholds this attempt's score, marks and answers
    from `viewer` (the courses app decides; a practice exam belongs to no assignment)."""
    return bool(attempt_results_withheld(viewer=viewer, attempt_ids=[attempt.pk]))


def attempt_items(*, attempt: ExamAttempt) -> QuerySet[AttemptItem]:
    return attempt.items.select_related("question", "question__topic").prefetch_related(
        "question__cards"
    )


@dataclass
class ItemResult:
    item: AttemptItem
    expected_text: str
    given_text: str
    cards: list[Card]


@dataclass
class TopicResult:
    topic: Topic
    correct: int = 0
    total: int = 0
    items: list[ItemResult] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


def _given_text(item: AttemptItem) -> str:
    if item.answer is None:
        return "—"
    if (
        item.kind == "single"
        and isinstance(item.answer, int)
        and 0 <= item.answer < len(item.choices)
    ):
        return item.choices[item.answer]
    if item.kind == "multiple" and isinstance(item.answer, list):
        return "；".join(item.choices[i] for i in item.answer if 0 <= i < len(item.choices))
    if isinstance(item.answer, float) and item.answer.is_integer():
        return str(int(item.answer))
    return str(item.answer)


def attempt_result(*, attempt: ExamAttempt) -> list[TopicResult]:
    """Per-topic results of a graded attempt, each item with its expected answer and cards."""
    by_topic: dict[int, TopicResult] = {}
    for item in attempt_items(attempt=attempt):
        topic = item.question.topic
        result = by_topic.setdefault(topic.pk, TopicResult(topic=topic))
        result.total += 1
        result.correct += int(bool(item.is_correct))
        result.items.append(
            ItemResult(
                item=item,
                expected_text=expected_describe(
                    kind=item.kind, expected=item.expected, choices=item.choices
                ),
                given_text=_given_text(item),
                cards=list(item.question.cards.all()),
            )
        )
    return sorted(by_topic.values(), key=lambda r: (r.topic.position, r.topic.slug))


# --- progress ---------------------------------------------------------------------------------


@dataclass
class TopicMastery:
    topic: Topic
    reviews: float | None = None
    quiz: float | None = None
    exercises: float | None = None
    quiz_answers: int = 0
    reviewed_cards: int = 0

    @property
    def mastery(self) -> float:
        parts = [p for p in (self.reviews, self.quiz, self.exercises) if p is not None]
        return sum(parts) / len(parts) if parts else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.mastery)

    @property
    def has_data(self) -> bool:
        return any(p is not None for p in (self.reviews, self.quiz, self.exercises))


def _submission_model():
    try:
        return apps.get_model("coding", "Submission")
    except LookupError:
        return None


def exercise_scores_by_topic(*, user) -> dict[str, float]:
    """Best share of the maximum score per exercise, averaged per topic; {} without coding.
    Scores withheld by an exam-mode assignment are left out."""
    model = _submission_model()
    if model is None:
        return {}
    best: dict[str, float] = {}
    rows = model.objects.filter(user=user, status="graded").values_list(
        "exercise__slug", "score", "max_score"
    )
    kind_field = {f.name for f in model._meta.get_fields()}
    if "kind" in kind_field:
        rows = rows.filter(kind="submission")
    rows = rows.exclude(pk__in=withheld_submission_ids(viewer=user))
    for slug, score, max_score in rows:
        if not max_score or score is None:
            continue
        best[slug] = max(best.get(slug, 0.0), min(1.0, score / max_score))
    per_topic: dict[str, list[float]] = defaultdict(list)
    topics = exercise_topics()
    for slug, share in best.items():
        topic = topics.get(slug)
        if topic:
            per_topic[topic].append(share)
    return {t: sum(v) / len(v) for t, v in per_topic.items()}


def mastery_by_topic(*, user, now: datetime | None = None) -> list[TopicMastery]:
    """Mastery per visible topic from three sources, each in [0, 1] and averaged when present:
    FSRS retrievability of the reviewed cards, the share of correct exam answers, and the best
    exercise grades. Exam answers and grades an exam-mode assignment still withholds do not
    count until released: the chart would show them."""
    now = now or timezone.now()
    topics = list(Topic.objects.visible())
    result = {t.slug: TopicMastery(topic=t) for t in topics}
    scheduler = review_scheduler()
    retr: dict[str, list[float]] = defaultdict(list)
    for slug, data in ReviewState.objects.filter(user=user, reps__gt=0).values_list(
        "card__topic__slug", "fsrs_card"
    ):
        retr[slug].append(scheduler.get_card_retrievability(FsrsCard.from_dict(data), now))
    quiz: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    graded_items = AttemptItem.objects.filter(
        attempt__user=user, attempt__status=ExamAttempt.Status.GRADED
    ).exclude(attempt_id__in=withheld_attempt_ids(viewer=user))
    for slug, correct in graded_items.values_list("question__topic__slug", "is_correct"):
        quiz[slug][0] += int(bool(correct))
        quiz[slug][1] += 1
    exercises = exercise_scores_by_topic(user=user)
    for slug, m in result.items():
        if retr.get(slug):
            m.reviews = sum(retr[slug]) / len(retr[slug])
            m.reviewed_cards = len(retr[slug])
        if slug in quiz:
            m.quiz = quiz[slug][0] / quiz[slug][1]
            m.quiz_answers = quiz[slug][1]
        if slug in exercises:
            m.exercises = exercises[slug]
    return [result[t.slug] for t in topics]


def weakest_topics(*, masteries: list[TopicMastery], limit: int = 3) -> list[TopicMastery]:
    """Topics with data, lowest mastery first; topics never practised come after them."""
    practised = sorted((m for m in masteries if m.has_data), key=lambda m: m.mastery)
    return [m for m in practised if m.mastery < 0.999][:limit]


def study_days(*, user) -> set[date]:
    days: set[date] = set()
    for moment in ReviewLog.objects.filter(user=user, source=ReviewLog.Source.REVIEW).values_list(
        "reviewed_at", flat=True
    ):
        days.add(timezone.localtime(moment).date())
    for moment in AttemptItem.objects.filter(
        attempt__user=user, answered_at__isnull=False
    ).values_list("answered_at", flat=True):
        days.add(timezone.localtime(moment).date())
    return days


def streak_days(*, user, now: datetime | None = None) -> int:
    """Consecutive days up to today (or yesterday, while today is still open) with study."""
    now = now or timezone.now()
    days = study_days(user=user)
    day = timezone.localtime(now).date()
    if day not in days:
        day -= timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def recent_submissions(*, user, limit: int = 5) -> list:
    model = _submission_model()
    if model is None:
        return []
    return list(
        model.objects.filter(user=user).select_related("exercise").order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class AttemptSummary:
    """A row of the user's attempt list; `score` is None while an exam-mode assignment withholds
    it (`withheld`)."""

    attempt: ExamAttempt
    score: float | None
    withheld: bool


def recent_attempts(*, user, limit: int = 5) -> list[AttemptSummary]:
    """The user's latest attempts, newest first: two queries."""
    attempts = list(
        ExamAttempt.objects.filter(user=user).select_related("exam").order_by("-started_at")[:limit]
    )
    withheld = attempt_results_withheld(viewer=user, attempt_ids=[a.pk for a in attempts])
    return [
        AttemptSummary(
            attempt=a, score=None if a.pk in withheld else a.score, withheld=a.pk in withheld
        )
        for a in attempts
    ]


# --- question statistics ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionStats:
    answers: int
    share_correct: float | None
    # Upper-lower 27% discrimination index: p(correct | top 27% of students by overall score)
    # minus p(correct | bottom 27%). Needs at least 4 students.
    discrimination: float | None
    point_biserial: float | None


def question_stats_all() -> dict[int, QuestionStats]:
    """Statistics of every answered question, from graded attempts, in two queries' worth."""
    rows = list(
        AttemptItem.objects.filter(attempt__status=ExamAttempt.Status.GRADED).values_list(
            "question_id", "attempt__user_id", "is_correct"
        )
    )
    per_user: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _, user_id, correct in rows:
        per_user[user_id][0] += int(bool(correct))
        per_user[user_id][1] += 1
    ability = {u: c / n for u, (c, n) in per_user.items() if n}
    per_question: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for question_id, user_id, correct in rows:
        cell = per_question[question_id][user_id]
        cell[0] += int(bool(correct))
        cell[1] += 1
    return {qid: _stats(users, ability) for qid, users in per_question.items()}


def _stats(users: dict[int, list[int]], ability: dict[int, float]) -> QuestionStats:
    answers = sum(n for _, n in users.values())
    correct = sum(c for c, _ in users.values())
    share = correct / answers if answers else None
    # One point per student: the share of this question they got right.
    points = sorted(((ability[u], c / n) for u, (c, n) in users.items()), key=lambda p: p[0])
    discrimination = None
    if len(points) >= 4:
        k = max(1, round(0.27 * len(points)))
        lower = sum(p for _, p in points[:k]) / k
        upper = sum(p for _, p in points[-k:]) / k
        discrimination = upper - lower
    biserial = None
    if len(points) >= 3:
        xs = [a for a, _ in points]
        ys = [p for _, p in points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
        sy = math.sqrt(sum((y - my) ** 2 for y in ys))
        if sx > 0 and sy > 0:
            biserial = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sx * sy)
    return QuestionStats(
        answers=answers, share_correct=share, discrimination=discrimination, point_biserial=biserial
    )


def question_stats(*, question: Question) -> QuestionStats:
    return question_stats_all().get(
        question.pk,
        QuestionStats(answers=0, share_correct=None, discrimination=None, point_biserial=None),
    )


@dataclass(frozen=True)
class QuestionStatsRow:
    question: Question
    stats: QuestionStats


# Sort keys of the statistics table (`?o=key` ascending, `?o=-key` descending).
QUESTION_STATS_ORDERINGS = (
    "question",
    "topic",
    "kind",
    "answers",
    "share_correct",
    "discrimination",
    "point_biserial",
)
QUESTION_STATS_DEFAULT_ORDER = "topic"


def question_stats_order_parse(value: str | None) -> tuple[str, bool]:
    """(key, descending) of an `o` parameter; the default order for anything unknown."""
    value = value or ""
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in QUESTION_STATS_ORDERINGS:
        return QUESTION_STATS_DEFAULT_ORDER, False
    return key, descending


def question_stats_rows(*, order: str | None = None) -> list[QuestionStatsRow]:
    """Every question with its statistics, sorted by `order` (see QUESTION_STATS_ORDERINGS);
    questions without a value for the sort key come last either way. Two queries."""
    key, descending = question_stats_order_parse(order)
    stats = question_stats_all()
    empty = QuestionStats(answers=0, share_correct=None, discrimination=None, point_biserial=None)
    rows = [
        QuestionStatsRow(question=question, stats=stats.get(question.pk, empty))
        for question in Question.objects.select_related("topic").order_by("topic__position", "key")
    ]

    def value(row: QuestionStatsRow):
        if key == "question":
            return row.question.prompt.casefold()
        if key == "topic":
            return row.question.topic.position
        if key == "kind":
            return row.question.kind
        return getattr(row.stats, key)

    known = [row for row in rows if value(row) is not None]
    unknown = [row for row in rows if value(row) is None]
    # sorted() is stable: equal values keep the topic and key order.
    return sorted(known, key=value, reverse=descending) + unknown


# --- review page: next intervals, undo, forecast ---------------------------------------------


@dataclass(frozen=True)
class RatingPreview:
    rating: str
    due: datetime
    interval: timedelta


def review_intervals(*, user, card: Card, now: datetime | None = None) -> list[RatingPreview]:
    """For each rating (again, hard, good, easy): when the card would next be due, as FSRS with
    the student's desired retention (and exam date) would schedule it. Nothing is stored."""
    now = now or timezone.now()
    prefs = review_settings_of(user=user)
    state = ReviewState.objects.filter(user=user, card=card).first()
    fsrs_card = FsrsCard.from_dict(state.fsrs_card) if state else FsrsCard(card_id=card.pk, due=now)
    scheduler = review_scheduler(desired_retention=prefs.desired_retention)
    previews = []
    for name, rating in RATINGS.items():
        nxt, _log = scheduler.review_card(
            FsrsCard.from_dict(fsrs_card.to_dict()), rating, review_datetime=now
        )
        due = review_due_capped(due=nxt.due, exam_date=prefs.exam_date, now=now)
        previews.append(RatingPreview(rating=name, due=due, interval=due - now))
    return previews


def review_can_undo(*, user) -> bool:
    """Whether the student has a rating to undo."""
    return ReviewLog.objects.filter(user=user, source=ReviewLog.Source.REVIEW).exists()


@dataclass(frozen=True)
class ForecastDay:
    day: date
    due: int


def review_forecast(*, user, days: int = 30, now: datetime | None = None) -> list[ForecastDay]:
    """Cards coming due on each of the next `days` days (local dates); the first day also counts
    every card already overdue."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts: dict[date, int] = defaultdict(int)
    for due in ReviewState.objects.filter(
        user=user, due__lt=now + timedelta(days=days + 1)
    ).values_list("due", flat=True):
        counts[max(today, timezone.localdate(due))] += 1
    return [
        ForecastDay(day=today + timedelta(days=i), due=counts.get(today + timedelta(days=i), 0))
        for i in range(days)
    ]
