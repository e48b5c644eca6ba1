"""The Celery app (`celery -A dlquiz worker`). Queues: `cpu` for every worker, `gpu` added only on
a worker whose torch sees CUDA."""

import os

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlquiz.settings")

app = Celery("dlquiz")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("cpu"), Queue("gpu"))
app.conf.task_default_queue = "cpu"
app.autodiscover_tasks(["dlquiz.coding", "dlquiz.similarity", "dlquiz.lti"])


@signals.celeryd_after_setup.connect
def select_queues(sender: str, instance, **kwargs) -> None:
    """A worker started without -Q consumes every declared queue; drop `gpu` unless CUDA is here."""
    from grader.worker import has_cuda

    queues = instance.app.amqp.queues
    if not has_cuda() and "gpu" in queues.consume_from and "cpu" in queues.consume_from:
        queues.deselect("gpu")
