"""Reachability of the parts the service needs: database, Redis, at least one grading worker."""

from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.db import connection


@dataclass
class Check:
    ok: bool
    detail: str


def health_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check(ok=False, detail=f"{type(exc).__name__}: {exc}")
    return Check(ok=True, detail=connection.vendor)


def health_redis() -> Check:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
    except Exception as exc:
        return Check(ok=False, detail=f"{type(exc).__name__}: {exc}")
    return Check(ok=True, detail="pong")


def health_workers(*, timeout: float = 1.0) -> Check:
    from dlquiz.celery import app

    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:
        return Check(ok=False, detail=f"{type(exc).__name__}: {exc}")
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return Check(ok=False, detail="no worker answered a ping")
    return Check(ok=True, detail=", ".join(names))


def health_report() -> dict:
    checks = {"database": health_database(), "redis": health_redis()}
    checks["worker"] = (
        health_workers() if checks["redis"].ok else Check(ok=False, detail="redis unreachable")
    )
    return {
        "status": "ok" if all(c.ok for c in checks.values()) else "degraded",
        **{name: asdict(check) for name, check in checks.items()},
    }
