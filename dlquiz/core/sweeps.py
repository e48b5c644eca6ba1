"""Periodic sweeps that heal a deployment without a separate scheduler (lost gradings, exam
attempts past their deadline). Each app registers its own in its AppConfig.ready(); every Celery
worker runs them all in a background thread, and a Redis lock keeps it to one sweep at a time
across the cluster. Knows no app, so no app depends on another through it."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)

LOCK_KEY = "dlquiz:sweeper-lock"

_sweeps: dict[str, Callable[[], object]] = {}


def sweep_register(*, name: str, sweep: Callable[[], object]) -> None:
    """Run `sweep` (no arguments; its result is logged) on every sweeper tick."""
    _sweeps[name] = sweep


def sweeps_registered() -> dict[str, Callable[[], object]]:
    return dict(_sweeps)


def sweeps_run() -> dict[str, object]:
    """Run every registered sweep once; one failing does not keep the others from running."""
    results: dict[str, object] = {}
    for name, sweep in _sweeps.items():
        try:
            results[name] = sweep()
        except Exception:
            log.exception("sweep %s failed; trying again next time", name)
    return results


def sweeper_tick(*, interval_s: int) -> bool:
    """One sweep when no other worker holds the lock for this interval; True when it ran."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    if not client.set(LOCK_KEY, socket.gethostname(), nx=True, ex=interval_s):
        return False
    sweeps_run()
    return True


def sweeper_loop() -> None:
    interval_s = settings.DLQUIZ_SWEEP_INTERVAL_S
    while True:
        time.sleep(interval_s)
        try:
            sweeper_tick(interval_s=interval_s)
        except Exception:
            log.exception("sweeper failed; trying again in %ss", interval_s)
        finally:
            close_old_connections()


def sweeper_start() -> threading.Thread:
    thread = threading.Thread(target=sweeper_loop, name="dlquiz-sweeper", daemon=True)
    thread.start()
    return thread
