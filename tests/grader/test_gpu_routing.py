"""Where grading runs: torch submissions go to the `gpu` queue when the deployment has GPU workers,
a worker consumes `gpu` only when its torch sees CUDA, and torch runs on the device it found.
(The CUDA path itself runs in bench/gpu_check.py on a GPU host.)"""

from __future__ import annotations

import base64
import json

import pytest
import redis
from django.contrib.auth.models import User
from django.test import override_settings

from dlquiz.celery import app, select_queues
from dlquiz.coding.models import Exercise
from dlquiz.coding.services import exercises_sync, submission_create, submission_queue_name
from grader import worker


class _WorkerInstance:  # what Celery's celeryd_after_setup signal hands over
    def __init__(self) -> None:
        self.app = app


@pytest.fixture
def all_queues_selected():
    app.amqp.queues.select(["cpu", "gpu"])
    yield app.amqp.queues
    app.amqp.queues.select(["cpu", "gpu"])


def test_torch_goes_to_gpu_only_when_the_deployment_says_so():
    assert submission_queue_name(framework="torch") == "cpu"
    with override_settings(DLQUIZ_GPU_QUEUE=True):
        assert submission_queue_name(framework="torch") == "gpu"
        assert submission_queue_name(framework="numpy") == "cpu"
        assert submission_queue_name(framework="python") == "cpu"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_torch_submission_is_sent_to_the_gpu_queue(redis_server):
    """The message really lands in Redis's `gpu` list (no worker on this host consumes it)."""
    exercises_sync()
    user = User.objects.create_user("gpu-routing", password="pw-gpu-routing")
    client = redis.Redis.from_url(redis_server.url)
    client.delete("gpu")
    with override_settings(DLQUIZ_GPU_QUEUE=True):
        submission, _ = submission_create(
            user=user,
            exercise=Exercise.objects.get(slug="softmax"),
            framework="torch",
            code="def softmax(x, dim=-1):\n    return x\n",
        )
    messages = [json.loads(raw) for raw in client.lrange("gpu", 0, -1)]
    client.delete("gpu")
    ids = [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]
    assert submission.pk in ids
    assert all(m["headers"]["task"] == "grader.grade_submission" for m in messages)


def test_a_worker_without_cuda_consumes_cpu_only(all_queues_selected, monkeypatch):
    monkeypatch.setattr(worker, "has_cuda", lambda: False)
    select_queues("test", _WorkerInstance())
    assert set(all_queues_selected.consume_from) == {"cpu"}


def test_a_worker_with_cuda_consumes_gpu_too(all_queues_selected, monkeypatch):
    monkeypatch.setattr(worker, "has_cuda", lambda: True)
    select_queues("test", _WorkerInstance())
    assert set(all_queues_selected.consume_from) == {"cpu", "gpu"}


def test_torch_runs_on_the_device_the_worker_found(monkeypatch):
    monkeypatch.setattr(worker, "has_cuda", lambda: False)
    assert worker.device_for(framework="torch") == "cpu"
    monkeypatch.setattr(worker, "has_cuda", lambda: True)
    assert worker.device_for(framework="torch") == "cuda"
    assert worker.device_for(framework="numpy") == "cpu"
