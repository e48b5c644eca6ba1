"""GET /metrics for Prometheus: django-prometheus' web metrics and the grading metrics.

Not public. With DLQUIZ_METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`;
without it, only the addresses in DLQUIZ_METRICS_ALLOWED_IPS (loopback by default) may scrape."""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from dlquiz.ops.metrics import GradingCollector


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.DLQUIZ_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)
    return request.META.get("REMOTE_ADDR", "") in settings.DLQUIZ_METRICS_ALLOWED_IPS


def metrics_registry() -> CollectorRegistry:
    """Every gunicorn process's web metrics when they share PROMETHEUS_MULTIPROC_DIR, else this
    process's own; the grading metrics come from Redis either way."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(ProcessRegistry())
    registry.register(GradingCollector())
    return registry


class ProcessRegistry:
    """The default registry (django-prometheus' metrics of this process) as one collector."""

    def collect(self):  # type: ignore[no-untyped-def]
        return REGISTRY.collect()


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("metrics are not public\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
