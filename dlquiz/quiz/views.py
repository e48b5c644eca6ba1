"""Pages: flashcard review, practice exams, results and the dashboard. Thin views."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from dlquiz.coding import selectors as coding_selectors
from dlquiz.content.models import Card, Topic
from dlquiz.quiz import selectors, services
from dlquiz.quiz.models import Exam, ExamAttempt, Question
from dlquiz.quiz.services import AttemptClosed, QuizInputError

RATING_BUTTONS = [
    ("again", pgettext_lazy("review rating", "Again")),
    ("hard", pgettext_lazy("review rating", "Hard")),
    ("good", pgettext_lazy("review rating", "Good")),
    ("easy", pgettext_lazy("review rating", "Easy")),
]


def _error_text(error: QuizInputError) -> str:
    """The service's message in the request's language (the API keeps the English one)."""
    text = _(error.template)
    return text % error.params if error.params else text


def _topic_from(request: HttpRequest) -> Topic | None:
    slug = (request.GET.get("topic") or request.POST.get("topic") or "").strip()
    return Topic.objects.filter(slug=slug).first() if slug else None


@login_required
def review(request: HttpRequest) -> HttpResponse:
    topic = _topic_from(request)
    queue = selectors.review_queue(user=request.user, topic=topic, limit=1)
    card = queue.next_card
    return _review_page(request, topic=topic, queue=queue, card=card)


def _review_page(
    request: HttpRequest,
    *,
    topic: Topic | None,
    queue: selectors.ReviewQueue,
    card: Card | None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HttpResponse:
    labels = dict(RATING_BUTTONS)
    intervals = selectors.review_intervals(user=request.user, card=card) if card is not None else []
    forecast = selectors.review_forecast(user=request.user)
    prefs = services.review_settings_of(user=request.user)
    return render(
        request,
        "quiz/review.html",
        {
            "topic": topic,
            "topics": Topic.objects.visible(),
            "due_by_topic": selectors.review_due_by_topic(user=request.user),
            "queue": queue,
            "card": card,
            "is_new": card is not None and not queue.due,
            "ratings": [
                (p.rating, labels[p.rating], n, p.interval)
                for n, p in enumerate(intervals, start=1)
            ],
            "can_undo": selectors.review_can_undo(user=request.user),
            "forecast": forecast,
            "forecast_max": max([d.due for d in forecast] + [1]),
            "prefs": prefs,
            "retention_percent": round(prefs.desired_retention * 100),
            "errors": errors or {},
            "values": values or {},
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def review_settings(request: HttpRequest) -> HttpResponse:
    """Desired retention and exam date; bad input shows the review page again with the field's
    message (400) and keeps what was typed."""
    values = {
        "desired_retention": request.POST.get("desired_retention", ""),
        "exam_date": request.POST.get("exam_date", ""),
    }
    try:
        services.review_settings_update(user=request.user, **values)
    except QuizInputError as error:
        topic = _topic_from(request)
        queue = selectors.review_queue(user=request.user, topic=topic, limit=1)
        return _review_page(
            request,
            topic=topic,
            queue=queue,
            card=queue.next_card,
            errors={error.field: _error_text(error)},
            values=values,
        )
    messages.success(request, _("Review settings saved."))
    return _back_to_review(request)


@login_required
@require_POST
def review_rate(request: HttpRequest, card_id: int) -> HttpResponse:
    card = get_object_or_404(Card.objects.visible(), pk=card_id)
    try:
        services.review_rate(user=request.user, card=card, rating=request.POST.get("rating", ""))
    except QuizInputError as error:
        messages.error(request, _error_text(error))
    return _back_to_review(request)


@login_required
@require_POST
def review_undo(request: HttpRequest) -> HttpResponse:
    log = services.review_undo(user=request.user)
    messages.info(request, _("Last rating undone.") if log else _("Nothing to undo."))
    return _back_to_review(request)


def _back_to_review(request: HttpRequest) -> HttpResponse:
    topic = request.POST.get("topic", "").strip()
    return redirect(f"/review/?topic={topic}" if topic else "/review/")


@login_required
def exam_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    exams = (
        Exam.objects.filter(is_published=True)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    )
    return render(
        request,
        "quiz/exam_list.html",
        {"exams": exams, "attempts": selectors.recent_attempts(user=request.user, limit=20)},
    )


@dataclass
class TopicChoice:
    topic: Topic
    questions: int
    checked: bool


@login_required
def exam_new(request: HttpRequest) -> HttpResponse:
    values = {"count": 10, "time_limit_minutes": 15}
    chosen: set[str] = set(request.GET.getlist("topic"))
    # "All topics" is the default choice unless a link picked topics.
    all_topics = not chosen
    errors: dict[str, str] = {}
    counts = {
        slug: n
        for slug, n in Question.objects.filter(is_active=True)
        .values_list("topic__slug")
        .annotate(n=Count("id"))
    }
    if request.method == "POST":
        all_topics = request.POST.get("all_topics") == "1"
        chosen = set(request.POST.getlist("topics"))
        if all_topics:
            chosen = {t.slug for t in Topic.objects.visible() if counts.get(t.slug)}
        try:
            values = {
                "count": int(request.POST.get("count", "")),
                "time_limit_minutes": int(request.POST.get("time_limit_minutes", "")),
            }
            attempt = services.attempt_create(user=request.user, topics=sorted(chosen), **values)
        except ValueError as error:
            if isinstance(error, QuizInputError):
                errors[error.field] = _error_text(error)
            else:
                errors["count"] = _("Enter whole numbers.")
        else:
            return redirect("quiz:attempt", attempt_id=attempt.pk)
    choices = [
        TopicChoice(
            topic=t, questions=counts.get(t.slug, 0), checked=all_topics or t.slug in chosen
        )
        for t in Topic.objects.visible()
        if counts.get(t.slug)
    ]
    return render(
        request,
        "quiz/exam_new.html",
        {
            "choices": choices,
            "values": values,
            "errors": errors,
            "all_topics": all_topics,
            "all_questions": sum(c.questions for c in choices),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def exam_start(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = get_object_or_404(Exam, pk=exam_id, is_published=True)
    try:
        attempt = services.exam_attempt_start(user=request.user, exam=exam)
    except QuizInputError as error:
        messages.error(request, _error_text(error))
        return redirect("quiz:exam-list")
    return redirect("quiz:attempt", attempt_id=attempt.pk)


@login_required
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    attempt = services.attempt_refresh(attempt=attempt)
    if attempt.status == ExamAttempt.Status.GRADED:
        if selectors.attempt_withheld(attempt=attempt, viewer=request.user):
            return render(
                request, "quiz/attempt_result.html", {"attempt": attempt, "withheld": True}
            )
        results = selectors.attempt_result(attempt=attempt)
        return render(request, "quiz/attempt_result.html", {"attempt": attempt, "results": results})
    return render(
        request,
        "quiz/attempt_take.html",
        {"attempt": attempt, "items": selectors.attempt_items(attempt=attempt)},
    )


def _form_answer(request: HttpRequest, *, kind: str, position: int):
    name = f"answer-{position}"
    if kind == "multiple":
        values = request.POST.getlist(name)
        return values or None
    value = request.POST.get(name, "").strip()
    return value if value != "" else None


@login_required
@require_POST
def attempt_finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Submit: answers in the form are saved first (a browser without scripts autosaves nothing),
    then the attempt is graded. After the deadline the form's answers are ignored."""
    attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
    for item in attempt.items.all():
        value = _form_answer(request, kind=item.kind, position=item.position)
        if value is None:
            continue
        try:
            services.attempt_answer(attempt=attempt, position=item.position, answer=value)
        except (QuizInputError, AttemptClosed):
            continue
    services.attempt_finish(attempt=attempt)
    return redirect("quiz:attempt", attempt_id=attempt.pk)


@dataclass(frozen=True)
class Bar:
    label: str
    slug: str
    percent: int
    y: int
    width: int
    has_data: bool


CHART_WIDTH = 320


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    masteries = selectors.mastery_by_topic(user=user)
    bars = [
        Bar(
            label=m.topic.name,
            slug=m.topic.slug,
            percent=m.percent,
            y=i * 26,
            width=round(CHART_WIDTH * m.mastery),
            has_data=m.has_data,
        )
        for i, m in enumerate(masteries)
    ]
    queue = selectors.review_queue(user=user, limit=0)
    return render(
        request,
        "quiz/dashboard.html",
        {
            "due_count": queue.due_count,
            "new_left": queue.new_left_today,
            "due_by_topic": selectors.review_due_by_topic(user=user),
            "streak": selectors.streak_days(user=user),
            "bars": bars,
            "chart_height": len(bars) * 26,
            "chart_width": CHART_WIDTH,
            "weakest": selectors.weakest_topics(masteries=masteries),
            # Real submissions only: "Run samples" runs are no grade and are not listed.
            "submissions": coding_selectors.submission_history(user=user, limit=5),
            "attempts": selectors.recent_attempts(user=user),
        },
    )
