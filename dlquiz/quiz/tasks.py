"""Celery adapter for the periodic exam sweep (attempts are also graded when next viewed)."""

from celery import shared_task

from dlquiz.quiz.services import attempts_expired_grade


@shared_task(name="quiz.attempts_expired_grade", ignore_result=True)
def attempts_expired_grade_task() -> int:
    return attempts_expired_grade()
