"""Celery adapter of the similarity app; the check itself is dlquiz.similarity.services."""

from __future__ import annotations

from celery import shared_task

from dlquiz.similarity import services


@shared_task(name=services.RUN_TASK_NAME, acks_late=True, reject_on_worker_lost=True)
def similarity_run(run_id: int) -> None:
    services.similarity_run_guarded(run_id=run_id)
