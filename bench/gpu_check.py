"""GPU check: on a host whose torch sees CUDA, grade every torch exercise's model solution on the
GPU through the real sandbox and compare with the CPU.

    .venv/bin/python bench/gpu_check.py

Checks, each printed as ok/FAIL: the worker picks `cuda` for torch and would consume the `gpu`
queue; a sandboxed child sees the NVIDIA device nodes and gets its inputs as CUDA tensors;
references are calibrated on the GPU (CUDA synchronisation around each timing); every model
solution is accepted on the GPU; a submission that moves its result to the CPU still counts.
Prints per-exercise median grading time on GPU and CPU and their ratio. Exit status 1 on any
failure; on a host without CUDA it says so and exits 0 having checked nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dlquiz.settings")

import numpy as np

from exercises.registry import exercise_list
from grader import grading, worker
from grader.sandbox import Call, Job, Limits, Sandbox

RUNS = 5
failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"{'ok  ' if ok else 'FAIL'}  {what}")
    if not ok:
        failures.append(what)


def grade_times(*, exercise, sandbox: Sandbox, device: str) -> tuple[str, float]:
    source = exercise.solution_source(framework="torch")
    times, verdict = [], ""
    for _ in range(RUNS):
        started = time.perf_counter()
        result = grading.grade(
            exercise=exercise, framework="torch", source=source, sandbox=sandbox, device=device
        )
        times.append((time.perf_counter() - started) * 1000)
        verdict = result.verdict
        if verdict != "accepted":
            bad = [
                f"{t.name}: {t.status} {t.message}" for t in result.tests if t.status != "passed"
            ]
            print("      ", "; ".join(bad)[:400])
    return verdict, statistics.median(times)


def main() -> int:
    if not worker.has_cuda():
        print("no CUDA device: nothing to check here (run this on a GPU worker host)")
        return 0
    import torch

    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
    check(worker.device_for(framework="torch") == "cuda", "torch submissions graded on cuda")
    check(worker.device_for(framework="numpy") == "cpu", "numpy submissions stay on the CPU")

    from dlquiz.celery import app

    class Instance:  # what celeryd_after_setup hands over: the worker's queue selection
        def __init__(self) -> None:
            self.app = app

    from dlquiz.celery import select_queues

    app.amqp.queues.select(["cpu", "gpu"])
    select_queues("check", Instance())
    check("gpu" in app.amqp.queues.consume_from, "a worker here consumes the gpu queue")

    sandbox = Sandbox()
    try:
        probe = (
            "import os, torch\n"
            "def f(x):\n"
            "    nodes = sorted(n for n in os.listdir('/dev') if n.startswith('nvidia'))\n"
            "    assert x.is_cuda, x.device\n"
            "    assert nodes, 'no /dev/nvidia* in the sandbox'\n"
            "    return (x * 2).cpu()\n"
        )
        job = Job(
            source=probe, entry_point="f", framework="torch", device="cuda",
            calls=(Call("probe", (np.ones(4, np.float32),), {}),),
            limits=Limits(time_per_call_s=60, time_total_s=120, memory_mb=4096),
        )  # fmt: skip
        outcome = sandbox.run(job).outcomes[0]
        check(
            outcome.status == "ok" and np.array_equal(outcome.value, np.full(4, 2, np.float32)),
            f"sandboxed child: CUDA inputs, device nodes, result back ({outcome.status} "
            f"{outcome.message[:200]})",
        )
        times = grading.reference_times_calibrate(exercises=exercise_list(), device="cuda")
        check(all(t > 0 for t in times.values()), f"references timed on cuda: {times}")

        print(f"\n{'exercise':<16} {'gpu ms':>8} {'cpu ms':>8} {'cpu/gpu':>8}")
        for exercise in exercise_list():
            if "torch" not in exercise.frameworks:
                continue
            verdict_gpu, gpu_ms = grade_times(exercise=exercise, sandbox=sandbox, device="cuda")
            verdict_cpu, cpu_ms = grade_times(exercise=exercise, sandbox=sandbox, device="cpu")
            print(f"{exercise.slug:<16} {gpu_ms:8.1f} {cpu_ms:8.1f} {cpu_ms / gpu_ms:8.2f}")
            check(verdict_gpu == "accepted", f"{exercise.slug}: model solution accepted on cuda")
            check(verdict_cpu == "accepted", f"{exercise.slug}: model solution accepted on cpu")
    finally:
        sandbox.close()
    print(f"\n{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
