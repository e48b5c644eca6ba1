"""Graded-submission notifications over Redis pub/sub, so an API client can wait for a grade in
one request (`GET /api/submissions/<id>/?wait=<s>`) instead of polling.

The worker publishes after the grade is committed; a waiter subscribes before it re-reads the
status, so a grade landing in between is never missed. Redis trouble never fails grading or a
request: the publisher logs it, the waiter simply returns the submission as it stands."""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings

log = logging.getLogger(__name__)

MAX_WAIT_S = 20.0  # below gunicorn's 30 s worker timeout


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


# Threads this web process serves requests with, when its server said (the gunicorn hook in
# dlquiz.gunicorn_conf); None under any other server.
_web_threads: int | None = None


def web_threads_set(*, threads: int) -> None:
    global _web_threads
    _web_threads = threads


def waiter_slots() -> int:
    """How many requests of this process may wait for a grade at once. A waiting request holds
    a thread, so never more than threads - 1: the last thread always serves everything else
    (gunicorn hands a process's accepted connections to its own threads only). Below that,
    DLQUIZ_API_MAX_WAITERS caps it; without a known thread count it is the whole limit."""
    configured = settings.DLQUIZ_API_MAX_WAITERS
    if _web_threads is None:
        return 1 if configured is None else configured
    spare = max(_web_threads - 1, 0)
    return spare if configured is None else min(configured, spare)


@functools.cache
def _waiters(limit: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(limit)


def channel(submission_id: int) -> str:
    return f"dlquiz:submission:{submission_id}"


def submission_finished_publish(*, submission_id: int) -> None:
    try:
        _client(settings.REDIS_URL).publish(channel(submission_id), b"done")
    except redis.RedisError:
        log.warning("could not announce submission %s as finished", submission_id, exc_info=True)


def submission_finished_wait(
    *, submission_id: int, timeout_s: float, is_finished: Callable[[], bool]
) -> None:
    """Return when the submission is finished, timeout_s has passed, or no wait is possible right
    now (every waiting slot taken, Redis unreachable): the caller re-reads it either way."""
    slots = _waiters(waiter_slots())
    if not slots.acquire(blocking=False):
        return  # the wait is only a hint: answer with the current state
    pubsub = None
    try:
        pubsub = _client(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel(submission_id))
        deadline = time.monotonic() + min(timeout_s, MAX_WAIT_S)
        if is_finished():
            return
        while (remaining := deadline - time.monotonic()) > 0:
            if pubsub.get_message(timeout=min(remaining, 1.0)) is not None:
                return
    except redis.RedisError:
        log.warning("waiting for submission %s failed", submission_id, exc_info=True)
    finally:
        slots.release()
        if pubsub is not None:
            with contextlib.suppress(redis.RedisError):
                pubsub.close()
