"""Celery adapters of the LTI app; the work is in dlquiz.lti.services."""

from __future__ import annotations

from celery import shared_task

from dlquiz.lti import services


@shared_task(
    name=services.GRADE_TASK_NAME,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def lti_grade_send(assignment_id: int, user_id: int) -> None:
    services.grade_send(assignment_id=assignment_id, user_id=user_id)


@shared_task(name=services.ROSTER_TASK_NAME, acks_late=True)
def lti_roster_sync(link_id: int) -> None:
    services.roster_sync(link_id=link_id)
