"""GET /healthz tells whether the database, Redis and a grading worker are reachable."""

import pytest
from django.test import override_settings

from tests.conftest import free_port

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
def test_health_is_ok_with_database_redis_and_a_live_worker(client, celery_worker):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["redis"]["ok"] and body["worker"]["ok"]
    assert celery_worker.name in body["worker"]["detail"]


@pytest.mark.django_db
def test_health_is_degraded_when_redis_is_unreachable(client):
    """With the broker down the check says so instead of hanging or failing with a 500."""
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False and body["worker"]["ok"] is False
