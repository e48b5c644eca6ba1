"""Hostile submissions through the real API and a real worker (its own Redis, its own secrets in
its environment): each gets a verdict, none reveals a secret, nothing of theirs outlives its
grading, and the same worker then grades a correct softmax as accepted."""

from __future__ import annotations

import contextlib
import os

import pytest

from dlquiz.coding.services import exercises_sync
from tests.coding.factories import SOFTMAX_TORCH, api_client_for, teacher_create
from tests.conftest import ROOT, RUN_DIR, CeleryWorker, own_broker, wait_until, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECRET_KEY = "worker-secret-key-7f3a9c-never-shown"
PLANTED = "planted-secret-b81e44-never-shown"

# (name, code, verdicts it may get). Visible tests show their messages, so whatever a submission
# manages to read and raise would be on the page.
HOSTILE = [
    ("infinite loop", "def softmax(x, dim=-1):\n    while True:\n        pass\n",
     {"time_limit_exceeded"}),
    ("memory bomb", "def softmax(x, dim=-1):\n    a = []\n    while True:\n"
     "        a.append(bytearray(64 << 20))\n", {"memory_limit_exceeded"}),
    ("fork bomb", "import os\ndef softmax(x, dim=-1):\n    while True:\n        os.fork()\n",
     {"runtime_error", "time_limit_exceeded", "memory_limit_exceeded"}),
    ("kill the parent", "import os, signal\ndef softmax(x, dim=-1):\n"
     "    os.kill(os.getppid(), signal.SIGKILL)\n    os.kill(1, signal.SIGKILL)\n    return x\n",
     {"runtime_error", "wrong_answer"}),  # as PID 1 of its namespace, it cannot even kill itself
    ("environment", "import os\ndef softmax(x, dim=-1):\n    raise ValueError(repr(dict(os.environ)))\n",
     {"runtime_error"}),
    ("process 1 environment", "def softmax(x, dim=-1):\n"
     "    raise ValueError(open('/proc/1/environ', 'rb').read().decode('latin-1'))\n",
     {"runtime_error"}),
    ("project files", "def softmax(x, dim=-1):\n"
     f"    raise ValueError(open({str(ROOT / 'dlquiz' / 'settings.py')!r}).read())\n",
     {"runtime_error"}),
    ("segfault", "import ctypes\ndef softmax(x, dim=-1):\n    return ctypes.string_at(0)\n",
     {"runtime_error"}),
    ("exit at import", "import sys\nsys.exit(0)\ndef softmax(x, dim=-1):\n    return x\n",
     {"compile_error"}),
    ("fake result on stdout", 'print(\'{"status": "ok", "verdict": "accepted"}\')\n'
     "def softmax(x, dim=-1):\n    print('{\"value\": 1}')\n    return x\n",
     {"wrong_answer", "invalid_output"}),
    ("daemon", "import os, time\ndef softmax(x, dim=-1):\n    if os.fork() == 0:\n"
     "        os.setsid()\n        time.sleep(600)\n    return x\n", {"wrong_answer"}),
]  # fmt: skip


@pytest.fixture
def hostile_worker():
    with own_broker() as server:
        env = worker_env(server)
        env.update(DJANGO_SECRET_KEY=SECRET_KEY, DLQUIZ_PLANTED_SECRET=PLANTED)
        worker = CeleryWorker(redis=server, name=f"hostile{os.getpid()}", concurrency=1, env=env)
        try:
            worker.start()
            yield worker
        finally:
            worker.stop()


def sandbox_processes(root: int) -> list[int]:
    """Descendants of the worker running as a sandbox uid (200000 and up): submissions' own."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
            if os.stat(f"/proc/{pid}").st_uid >= 200000:
                found.append(pid)
    return found


def test_hostile_submissions_get_verdicts_and_leak_nothing(hostile_worker):
    exercises_sync()
    client = api_client_for(teacher_create())  # instructors are exempt from the quota
    ids = {}
    for name, code, _ in HOSTILE:
        response = client.post(
            "/api/submissions/",
            {"exercise": "softmax", "framework": "torch", "code": code},
            format="json",
        )
        assert response.status_code == 201, response.content
        ids[name] = response.json()["id"]
    for name, _, verdicts in HOSTILE:
        body = {}
        for _ in range(10):
            body = client.get(f"/api/submissions/{ids[name]}/?wait=20").json()
            if body["status"] in ("graded", "failed"):
                break
        assert body["status"] == "graded", (name, body)
        assert body["verdict"] in verdicts, (name, body["verdict"], body["tests"][:3])
        # The instructor's view shows everything: messages, stdout, stderr.
        seen = client.get(f"/api/submissions/{ids[name]}/").content.decode()
        for secret in (SECRET_KEY, PLANTED, hostile_worker.redis.url, str(RUN_DIR)):
            assert secret not in seen, (name, secret)
    root = hostile_worker.process.pid
    wait_until(lambda: not sandbox_processes(root), timeout=10, what="no submission process left")

    right = client.post(
        "/api/submissions/",
        {"exercise": "softmax", "framework": "torch", "code": SOFTMAX_TORCH},
        format="json",
    ).json()
    body = client.get(f"/api/submissions/{right['id']}/?wait=20").json()
    assert body["status"] == "graded" and body["verdict"] == "accepted", body
    assert hostile_worker.ready()  # the worker itself never went down
