"""Sandbox latency and throughput through the real API (grader.sandbox.Sandbox.run).

    .venv/bin/python bench/sandbox_bench.py [--jobs 40] [--burst 100]

Prints the median and p95 round trip of a trivial torch softmax job (one call, warm sandbox,
jobs spaced as a lightly loaded worker sees them), a burst of back-to-back jobs (jobs per
second), the median of a fresh `python -c "import torch"` measured in the same run, and the ratio.
The job is guarded as the softmax exercise's are: its forbidden names and operator family.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grader.sandbox import Call, Job, Limits, Sandbox

SOFTMAX = """
import torch

def softmax(x, dim=-1):
    m = x.max(dim=dim, keepdim=True).values
    e = torch.exp(x - m)
    return e / e.sum(dim=dim, keepdim=True)
"""
FORBIDDEN = ("torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax")
FORBIDDEN_OPS = ("softmax",)


def softmax_job() -> Job:
    x = np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32)
    return Job(
        source=SOFTMAX,
        entry_point="softmax",
        framework="torch",
        calls=(Call(name="small", args=(x,), kwargs={}),),
        limits=Limits(),
        forbidden=FORBIDDEN,
        forbidden_ops=FORBIDDEN_OPS,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def import_torch_ms(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between spaced jobs")
    parser.add_argument("--import-runs", type=int, default=3)
    args = parser.parse_args()

    sandbox = Sandbox()
    job = softmax_job()
    started = time.perf_counter()
    first = sandbox.run(job)
    start_ms = (time.perf_counter() - started) * 1000
    assert first.outcomes[0].status == "ok", first

    latencies = []
    for _ in range(args.jobs):
        time.sleep(args.gap)
        started = time.perf_counter()
        result = sandbox.run(job)
        latencies.append((time.perf_counter() - started) * 1000)
        assert result.outcomes[0].status == "ok", result

    time.sleep(0.5)
    started = time.perf_counter()
    for _ in range(args.burst):
        assert sandbox.run(job).outcomes[0].status == "ok"
    burst_s = time.perf_counter() - started
    sandbox.close()

    imports = import_torch_ms(args.import_runs)
    p50 = statistics.median(latencies)
    import_p50 = statistics.median(imports)
    print(f"first job (starts the fork server): {start_ms:8.1f} ms")
    print(
        f"job round trip p50:                 {p50:8.1f} ms  ({args.jobs} jobs, {args.gap}s apart)"
    )
    print(f"job round trip p95:                 {percentile(latencies, 0.95):8.1f} ms")
    print(
        f"burst of {args.burst} jobs:                {args.burst / burst_s:8.1f} jobs/s"
        f"  ({burst_s * 1000 / args.burst:.1f} ms each)"
    )
    print(f"fresh `python -c 'import torch'`:   {import_p50:8.1f} ms  (median of {len(imports)})")
    print(f"speed-up p50 vs import torch:       {import_p50 / p50:8.1f}x")


if __name__ == "__main__":
    main()
