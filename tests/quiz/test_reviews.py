"""Flashcard reviews scheduled by the fsrs library: due dates, queue, new-card limit, undo."""

from datetime import UTC, datetime, timedelta

from django.test import override_settings
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from dlquiz.quiz import selectors, services
from dlquiz.quiz.models import ReviewLog, ReviewState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_rated_card_comes_due_when_fsrs_says(student, cards):
    """A card rated Good, then Good again, is due exactly when fsrs's own Scheduler puts it."""
    card = cards[0]
    services.review_rate(user=student, card=card, rating="good", now=T0)
    t1 = T0 + timedelta(minutes=15)
    state = services.review_rate(user=student, card=card, rating="good", now=t1)

    scheduler = Scheduler(enable_fuzzing=False)
    reference = FsrsCard(card_id=card.pk, due=T0)
    reference, _ = scheduler.review_card(reference, Rating.Good, review_datetime=T0)
    reference, _ = scheduler.review_card(reference, Rating.Good, review_datetime=t1)
    assert state.due == reference.due
    assert state.due > t1 + timedelta(hours=12)  # graduated out of the learning steps
    assert FsrsCard.from_dict(state.fsrs_card).stability == reference.stability


def test_again_keeps_the_card_in_todays_queue_and_easy_pushes_it_out(student, cards):
    """Again schedules the card within minutes; Easy schedules it days later (not due today)."""
    again = services.review_rate(user=student, card=cards[0], rating="again", now=T0)
    easy = services.review_rate(user=student, card=cards[1], rating="easy", now=T0)
    assert again.due - T0 <= timedelta(minutes=10)
    assert easy.due - T0 >= timedelta(days=1)
    later = T0 + timedelta(minutes=11)
    due_ids = [s.card_id for s in selectors.review_queue(user=student, now=later).due]
    assert due_ids == [cards[0].pk]


def test_queue_filters_by_topic(student, cards, topics):
    """The queue of one topic holds only that topic's due and new cards."""
    for card in cards:
        services.review_rate(user=student, card=card, rating="again", now=T0)
    queue = selectors.review_queue(user=student, topic=topics["cnn"], now=T0 + timedelta(hours=1))
    assert queue.due and all(s.card.topic_id == topics["cnn"].pk for s in queue.due)
    assert queue.due_count == sum(1 for c in cards if c.topic_id == topics["cnn"].pk)


@override_settings(DLQUIZ_NEW_CARDS_PER_DAY=2)
def test_new_card_limit_per_day(student, cards):
    """Only the daily number of new cards is offered; the next day offers new ones again."""
    queue = selectors.review_queue(user=student, now=T0)
    assert len(queue.new) == 2
    for card in queue.new:
        services.review_rate(user=student, card=card, rating="good", now=T0)
    assert selectors.review_queue(user=student, now=T0 + timedelta(minutes=1)).new == []
    next_day = selectors.review_queue(user=student, now=T0 + timedelta(days=1))
    assert len(next_day.new) == 2


def test_undo_restores_the_previous_state(student, cards):
    """Undo puts the card back exactly as before the last rating, and a new card back to new."""
    card = cards[0]
    first = services.review_rate(user=student, card=card, rating="good", now=T0)
    before = dict(first.fsrs_card)
    services.review_rate(user=student, card=card, rating="easy", now=T0 + timedelta(minutes=20))
    services.review_undo(user=student)
    state = ReviewState.objects.get(user=student, card=card)
    assert state.fsrs_card == before and state.due == first.due and state.reps == 1
    services.review_undo(user=student)
    assert not ReviewState.objects.filter(user=student, card=card).exists()
    assert services.review_undo(user=student) is None


def test_make_due_puts_a_scheduled_card_back_in_the_queue(student, cards):
    """A wrong exam answer makes its card due now, without counting as a rating."""
    services.review_rate(user=student, card=cards[0], rating="easy", now=T0)
    services.review_make_due(user=student, cards=[cards[0], cards[2]], now=T0 + timedelta(hours=1))
    due = selectors.review_queue(user=student, now=T0 + timedelta(hours=1)).due
    assert {s.card_id for s in due} == {cards[0].pk, cards[2].pk}
    assert ReviewLog.objects.filter(source=ReviewLog.Source.EXAM).count() == 2


def test_intervals_shown_are_the_ones_rating_gives(student, cards):
    """Each button's preview is exactly the due date the rating then stores; Again < Hard <=
    Good < Easy."""
    card = cards[0]
    services.review_rate(user=student, card=card, rating="good", now=T0)
    t1 = T0 + timedelta(minutes=15)
    previews = {p.rating: p for p in selectors.review_intervals(user=student, card=card, now=t1)}
    assert list(previews) == ["again", "hard", "good", "easy"]
    assert previews["again"].interval < previews["hard"].interval <= previews["good"].interval
    assert previews["good"].interval < previews["easy"].interval
    state = services.review_rate(user=student, card=card, rating="easy", now=t1)
    assert state.due == previews["easy"].due


def test_desired_retention_changes_the_schedule(student, cards):
    """A higher desired retention gives shorter intervals, as fsrs computes them."""
    services.review_rate(user=student, card=cards[0], rating="good", now=T0)
    t1 = T0 + timedelta(minutes=15)
    base = selectors.review_intervals(user=student, card=cards[0], now=t1)[3].interval
    services.review_settings_update(
        user=student, desired_retention="97", exam_date="", today=T0.date()
    )
    strict = selectors.review_intervals(user=student, card=cards[0], now=t1)[3].interval
    reference = Scheduler(desired_retention=0.97, enable_fuzzing=False)
    card, _ = reference.review_card(
        FsrsCard(card_id=cards[0].pk, due=T0), Rating.Good, review_datetime=T0
    )
    card, _ = reference.review_card(card, Rating.Easy, review_datetime=t1)
    assert strict < base
    assert strict == card.due - t1


def test_exam_date_mode_brings_every_card_due_before_the_exam(student, cards):
    """With an exam in 3 days, Easy (days or weeks by FSRS) comes due the day before the exam."""
    services.review_settings_update(
        user=student, desired_retention="0.9", exam_date="2026-03-05", today=T0.date()
    )
    state = services.review_rate(user=student, card=cards[0], rating="easy", now=T0)
    assert state.due.date() == datetime(2026, 3, 4).date()
    assert state.due < datetime(2026, 3, 5, tzinfo=UTC)
    again = services.review_rate(user=student, card=cards[1], rating="again", now=T0)
    assert again.due - T0 <= timedelta(minutes=10)  # short steps are left alone


def test_review_settings_refuse_bad_input_and_keep_the_old_values(student):
    import pytest

    for retention, exam, field in [
        ("abc", "", "desired_retention"),
        ("0.5", "", "desired_retention"),
        ("99", "", "desired_retention"),
        ("0.9", "2026-13-01", "exam_date"),
        ("0.9", "2026-03-01", "exam_date"),
    ]:
        with pytest.raises(services.QuizInputError) as raised:
            services.review_settings_update(
                user=student, desired_retention=retention, exam_date=exam, today=T0.date()
            )
        assert raised.value.field == field
    assert services.review_settings_of(user=student).desired_retention == 0.9
    assert services.review_settings_of(user=student).pk is None


def test_undo_is_offered_only_after_a_rating(student, cards):
    assert not selectors.review_can_undo(user=student)
    services.review_rate(user=student, card=cards[0], rating="good", now=T0)
    assert selectors.review_can_undo(user=student)
    services.review_undo(user=student)
    assert not selectors.review_can_undo(user=student)


def test_forecast_counts_cards_per_day_for_thirty_days(student, cards):
    """Overdue cards count today; a card due in 4 days counts on day 4."""
    services.review_rate(user=student, card=cards[0], rating="again", now=T0 - timedelta(days=1))
    services.review_rate(user=student, card=cards[1], rating="easy", now=T0)
    easy_due = ReviewState.objects.get(user=student, card=cards[1]).due
    forecast = selectors.review_forecast(user=student, now=T0)
    assert len(forecast) == 30 and forecast[0].day == T0.date()
    assert forecast[0].due == 1
    offset = (easy_due.date() - T0.date()).days
    assert forecast[offset].due == 1 and sum(d.due for d in forecast) == 2
