"""Practice exams: the draw, autosave, the server-side deadline, time-out grading, results."""

from datetime import UTC, datetime, timedelta

import pytest

from dlquiz.quiz import selectors, services
from dlquiz.quiz.grading import answer_is_correct
from dlquiz.quiz.models import ExamAttempt, ReviewState
from dlquiz.quiz.services import AttemptClosed, QuizInputError
from dlquiz.quiz.variants import variant_generate

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def start(student, *, count=5, minutes=10, seed=1):
    return services.attempt_create(
        user=student, topics=["cnn"], count=count, time_limit_minutes=minutes, now=T0, seed=seed
    )


def correct_answer(item):
    e = item.expected
    return {
        "single": lambda: e["choice"],
        "multiple": lambda: e["choices"],
        "numeric": lambda: e["value"],
        "short": lambda: e["accept"][0],
    }[item.kind]()


def test_attempt_is_a_fixed_draw_with_variant_answers_stored(student, questions):
    """The draw is stored: items, shuffled choices keep the right answer, variants carry their
    computed answer and the parameters that produced it."""
    attempt = start(student)
    items = list(attempt.items.select_related("question"))
    assert len(items) == 5 and attempt.deadline == T0 + timedelta(minutes=10)
    for item in items:
        if item.kind == "single":
            assert item.choices[item.expected["choice"]] == "b"
        if item.kind == "multiple":
            assert {item.choices[i] for i in item.expected["choices"]} == {"a", "c"}
        if item.question.template:
            variant = variant_generate(key=item.params["template"], seed=item.params["seed"])
            assert item.expected["value"] == variant.answer and item.prompt == variant.prompt
    again = ExamAttempt.objects.get(pk=attempt.pk)
    assert [i.prompt for i in again.items.all()] == [i.prompt for i in items]


def test_all_correct_answers_score_full_marks(student, questions):
    """Answering every item with its expected answer (each kind) scores max_score."""
    attempt = start(student)
    for item in attempt.items.all():
        services.attempt_answer(
            attempt=attempt, position=item.position, answer=correct_answer(item), now=T0
        )
    graded = services.attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=3))
    assert graded.status == "graded" and graded.score == graded.max_score == 5
    assert not graded.timed_out
    assert ReviewState.objects.filter(user=student).count() == 0


def test_answer_after_deadline_is_ignored_and_attempt_graded(student, questions):
    """An answer arriving after the deadline is refused (AttemptClosed), not recorded, and the
    attempt is graded as timed out with what was saved before."""
    attempt = start(student, minutes=5)
    first = attempt.items.get(position=1)
    services.attempt_answer(attempt=attempt, position=1, answer=correct_answer(first), now=T0)
    late = T0 + timedelta(minutes=5, seconds=1)
    second = attempt.items.get(position=2)
    with pytest.raises(AttemptClosed):
        services.attempt_answer(
            attempt=attempt, position=2, answer=correct_answer(second), now=late
        )
    attempt.refresh_from_db()
    assert attempt.status == "graded" and attempt.timed_out
    assert attempt.finished_at == attempt.deadline and attempt.score == 1
    assert attempt.items.get(position=2).answer is None


def test_expired_attempt_is_graded_when_viewed_or_by_the_sweep(student, questions):
    """An unfinished attempt past its deadline is graded by attempt_refresh or the sweep."""
    viewed = start(student, minutes=1, seed=2)
    swept = start(student, minutes=1, seed=3)
    assert (
        services.attempt_refresh(attempt=viewed, now=T0 + timedelta(seconds=30)).status
        == "in_progress"
    )
    assert (
        services.attempt_refresh(attempt=viewed, now=T0 + timedelta(minutes=2)).status == "graded"
    )
    assert services.attempts_expired_grade(now=T0 + timedelta(minutes=2)) == 1
    swept.refresh_from_db()
    assert swept.status == "graded" and swept.timed_out and swept.score == 0


def test_grading_is_idempotent(student, questions):
    """Finishing twice changes nothing after the first grading."""
    attempt = start(student)
    first = services.attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    second = services.attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=2))
    assert first.finished_at == second.finished_at and first.score == second.score


def test_wrong_answers_enter_the_review_queue_and_results_link_cards(student, questions):
    """Wrong and unanswered items make their cards due; the result explains and links them."""
    attempt = start(student)
    single = attempt.items.get(kind="single")
    wrong = (single.expected["choice"] + 1) % 3
    services.attempt_answer(attempt=attempt, position=single.position, answer=wrong, now=T0)
    services.attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    due = selectors.review_queue(user=student, now=T0 + timedelta(minutes=1)).due
    linked = {c.pk for q in questions for c in q.cards.all()}
    assert {s.card_id for s in due} == linked
    results = selectors.attempt_result(attempt=attempt)
    assert [r.topic.slug for r in results] == ["cnn"] and results[0].correct == 0
    item = next(r for r in results[0].items if r.item.kind == "single")
    assert item.expected_text == "b" and item.cards and item.item.explanation == "because b"


def test_invalid_answers_and_input_are_rejected_with_their_field(student, questions):
    """Malformed answers and bad exam parameters raise QuizInputError naming the field."""
    attempt = start(student)
    single = attempt.items.get(kind="single")
    with pytest.raises(QuizInputError) as error:
        services.attempt_answer(attempt=attempt, position=single.position, answer=7, now=T0)
    assert error.value.field == "answer"
    with pytest.raises(QuizInputError) as error:
        services.attempt_answer(attempt=attempt, position=99, answer=1, now=T0)
    assert error.value.field == "position"
    for kwargs, field in [
        ({"topics": ["nope"], "count": 3, "time_limit_minutes": 5}, "topics"),
        ({"topics": ["cnn"], "count": 0, "time_limit_minutes": 5}, "count"),
        ({"topics": ["cnn"], "count": 3, "time_limit_minutes": 0}, "time_limit_minutes"),
        ({"topics": ["compression"], "count": 3, "time_limit_minutes": 5}, "topics"),
    ]:
        with pytest.raises(QuizInputError) as error:
            services.attempt_create(user=student, **kwargs)
        assert error.value.field == field


def test_numeric_tolerance_and_short_pattern_in_an_attempt(student, questions):
    """Within the question's tolerance a numeric answer counts; a short answer may match a
    pattern instead of the exact text."""
    attempt = start(student)
    numeric = attempt.items.get(question__key="q-numeric")
    short = attempt.items.get(kind="short")
    services.attempt_answer(attempt=attempt, position=numeric.position, answer="55.4", now=T0)
    services.attempt_answer(
        attempt=attempt, position=short.position, answer="Transposed Convolution", now=T0
    )
    services.attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    numeric.refresh_from_db()
    short.refresh_from_db()
    assert numeric.is_correct and short.is_correct
    assert not answer_is_correct(kind="numeric", expected=numeric.expected, given="55.6")


def test_fixed_exam_respects_its_window(student, questions):
    """An instructor's exam can be started only while open, and its deadline never passes
    its closing time."""
    from dlquiz.quiz.models import Exam, ExamQuestion

    exam = Exam.objects.create(
        title="Midterm",
        time_limit_minutes=60,
        is_published=True,
        opens_at=T0,
        closes_at=T0 + timedelta(minutes=30),
    )
    for i, q in enumerate(questions[:3]):
        ExamQuestion.objects.create(exam=exam, question=q, position=i)
    with pytest.raises(QuizInputError):
        services.exam_attempt_start(user=student, exam=exam, now=T0 - timedelta(minutes=1))
    attempt = services.exam_attempt_start(user=student, exam=exam, now=T0 + timedelta(minutes=5))
    assert [i.question.key for i in attempt.items.all()] == ["q-single", "q-multiple", "q-numeric"]
    assert attempt.deadline == exam.closes_at
