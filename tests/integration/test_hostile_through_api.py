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

# Attacks on the judge itself: each gets the verdict a sound judge gives.
SOFTMAX = (
    "import torch\n"
    "def _softmax(x, dim=-1):\n"
    "    e = torch.exp(x - x.amax(dim=dim, keepdim=True))\n"
    "    return e / e.sum(dim=dim, keepdim=True)\n"
)
FRAMES = (
    "import json, os, struct, time\n"
    "def _frame(kind, payload, size=None):\n"
    "    data = kind + struct.pack('>Q', len(payload) if size is None else size) + payload\n"
    "    while data:\n        data = data[os.write(4, data):]\n    time.sleep(30)\n"
    "def _blob(header, body=b''):\n"
    "    raw = json.dumps(header).encode()\n    raw += b' ' * (-(4 + len(raw)) % 64)\n"
    "    return struct.pack('>I', len(raw)) + raw + body\n"
)
JUDGE_ATTACKS = [
    ("slow work moved into the driver's argument conversion", SOFTMAX +
     "import sys, time\nCACHE = []\ndriver = sys.modules['grader.child'].Driver\n"
     "convert = driver._to_student\n"
     "def _to_student(self, value):\n    out = convert(self, value)\n"
     "    if type(out) is tuple and out and isinstance(out[0], torch.Tensor) and out[0].numel() > 100000:\n"
     "        time.sleep(0.4)\n        CACHE.append(_softmax(out[0]))\n    return out\n"
     "driver._to_student = _to_student\n"
     "def softmax(x, dim=-1):\n    return CACHE.pop() if CACHE else _softmax(x, dim)\n",
     {"too_slow"}),
    ("garbage on early repetitions", SOFTMAX +
     "SEEN = []\ndef softmax(x, dim=-1):\n    if x.numel() > 100000:\n        SEEN.append(1)\n"
     "        if len(SEEN) < 3:\n            return torch.zeros_like(x)\n    return _softmax(x, dim)\n",
     {"wrong_answer"}),
    ("result cached across repetitions", SOFTMAX +
     "CACHE = {}\ndef softmax(x, dim=-1):\n    key = (tuple(x.shape), dim)\n"
     "    CACHE.setdefault(key, _softmax(x, dim))\n    return CACHE[key].clone()\n",
     {"wrong_answer"}),
    ("kernel fetched by operator name", "import torch\ndef softmax(x, dim=-1):\n"
     "    op, _ = getattr(torch._C, '_jit_get_' + 'operation')('aten::' + '_soft' + 'max')\n"
     "    return op(x, dim, False)\n", {"forbidden_api"}),
    ("private kernel", "import torch\ndef softmax(x, dim=-1):\n"
     "    return getattr(torch, '_safe_' + 'softmax')(x, dim)\n", {"forbidden_api"}),
    ("softmax out of attention", "import torch\ndef softmax(x, dim=-1):\n"
     "    rows = x.movedim(dim, -1).reshape(-1, x.shape[dim])\n    n = rows.shape[-1]\n"
     "    sdpa = getattr(torch.nn.functional, 'scaled_dot_product_' + 'attention')\n"
     "    out = sdpa(torch.ones(rows.shape[0], 1, 1), rows.unsqueeze(-1),\n"
     "               torch.eye(n).expand(rows.shape[0], n, n), scale=1.0).squeeze(1)\n"
     "    return out.reshape(x.movedim(dim, -1).shape).movedim(-1, dim)\n", {"forbidden_api"}),
    ("guard popped first", "import importlib, torch\n"
     "dispatch = importlib.import_module('torch.utils._python' + '_dispatch')\n"
     "def softmax(x, dim=-1):\n    getattr(dispatch, '_pop' + '_mode')()\n"
     "    return getattr(torch, 'soft' + 'max')(x, dim)\n", {"forbidden_api"}),
    ("library softmax in a thread", "import threading\ndef softmax(x, dim=-1):\n    out = []\n"
     "    t = threading.Thread(target=lambda: out.append(getattr(x, 'soft' + 'max')(dim)))\n"
     "    t.start()\n    t.join()\n    return out[0]\n", {"forbidden_api"}),
    ("oversized load report", FRAMES + "_frame(b'L', b'0' * 1024, size=1 << 30)\n"
     "def softmax(x, dim=-1):\n    return x\n", {"runtime_error"}),
    ("result that is not a dict", FRAMES + "def softmax(x, dim=-1):\n"
     "    _frame(b'R', _blob({'list': [1, 2]}))\n", {"invalid_output"}),
    ("result arrays sharing their bytes", FRAMES + "def softmax(x, dim=-1):\n"
     "    arr = {'array': ['<f8', [1 << 19], 0]}\n"
     "    _frame(b'R', _blob({'dict': [['status', 'ok'], ['value_kind', 'tensor'],"
     " ['value', {'list': [arr] * 64}]]}, bytes(8 << 20)))\n", {"invalid_output"}),
    ("result frame past the limit", FRAMES + "def softmax(x, dim=-1):\n"
     "    _frame(b'R', b'', size=1 << 40)\n", {"output_limit_exceeded"}),
    ("a huge string returned", "def softmax(x, dim=-1):\n    return 'x' * (80 << 20)\n",
     {"output_limit_exceeded"}),
    ("inputs looked for at import", "import gc, torch, numpy as np\n"
     "def _arrays():\n    return [o for o in gc.get_objects()\n"
     "            if isinstance(o, (np.ndarray, torch.Tensor)) and o.dtype in (np.float32, torch.float32)]\n"
     "BEFORE = {id(a) for a in _arrays()}\n"
     "def softmax(x, dim=-1):\n"
     "    new = [a for a in _arrays() if id(a) not in BEFORE and tuple(a.shape) != tuple(x.shape)]\n"
     "    raise ValueError(f'arrays besides the input: {len(new)}')\n",
     {"runtime_error"}),
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
    """Each hostile submission is graded (never failed, in one delivery: nothing it does makes the
    sandbox restart) with the verdict a sound judge gives; attacks on the judge included."""
    from dlquiz.coding.models import Submission

    exercises_sync()
    client = api_client_for(teacher_create())  # instructors are exempt from the quota
    ids = {}
    for name, code, _ in HOSTILE + JUDGE_ATTACKS:
        response = client.post(
            "/api/submissions/",
            {"exercise": "softmax", "framework": "torch", "code": code},
            format="json",
        )
        assert response.status_code == 201, response.content
        ids[name] = response.json()["id"]
    for name, _, verdicts in HOSTILE + JUDGE_ATTACKS:
        body = {}
        for _ in range(10):
            body = client.get(f"/api/submissions/{ids[name]}/?wait=20").json()
            if body["status"] in ("graded", "failed"):
                break
        assert body["status"] == "graded", (name, body)
        assert body["verdict"] in verdicts, (name, body["verdict"], body["tests"][:3])
        attempts = Submission.objects.get(pk=ids[name]).attempts
        assert attempts == 1, (name, hostile_worker.log.read_text()[-6000:])
        # The instructor's view shows everything: messages, stdout, stderr.
        seen = client.get(f"/api/submissions/{ids[name]}/").content.decode()
        for secret in (SECRET_KEY, PLANTED, hostile_worker.redis.url, str(RUN_DIR)):
            assert secret not in seen, (name, secret)
    leak = client.get(f"/api/submissions/{ids['inputs looked for at import']}/").json()
    # The first (visible) call runs before any hidden input has been sent.
    assert "arrays besides the input: 0" in leak["tests"][0]["message"], leak["tests"][0]
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
