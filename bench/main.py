"""The benchmark run behind `make bench` (entry point: bench/run_all.py)."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.grading_load import (
    Burst,
    Floor,
    Latency,
    Sustained,
    burst_run,
    latency_run,
    naive_floor,
    sustained_run,
)
from bench.stack import ROOT, VENV_BIN, StackConfig, running_stack
from bench.web_load import PageLoad, web_run

LATENCY_RATIO_TARGET = 20.0
BURST_RATE_TARGET = 15.0


@dataclass
class Machine:
    nproc: int
    cpu_model: str
    memory_gib: float
    kernel: str
    python: str
    torch: str
    sandbox: str


def machine_describe(*, unsafe_no_sandbox: bool) -> Machine:
    cpu = "unknown"
    memory_kib = 0
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    torch_version = subprocess.run(
        [str(VENV_BIN / "python"), "-c", "import torch; print(torch.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Machine(
        nproc=os.cpu_count() or 0,
        cpu_model=cpu,
        memory_gib=round(memory_kib / 2**20, 1),
        kernel=platform.release(),
        python=platform.python_version(),
        torch=torch_version,
        sandbox="OFF (--unsafe-no-sandbox)" if unsafe_no_sandbox else "on",
    )


@dataclass
class Plan:
    floor_runs: int
    latency_count: int
    burst_count: int
    sustained_seconds: float
    web_seconds: int


def plan_for(args: argparse.Namespace) -> Plan:
    if args.quick:
        plan = Plan(
            floor_runs=3, latency_count=8, burst_count=100, sustained_seconds=10, web_seconds=3
        )
    else:
        plan = Plan(
            floor_runs=5, latency_count=30, burst_count=100, sustained_seconds=60, web_seconds=10
        )
    if args.sustained_seconds is not None:
        plan.sustained_seconds = args.sustained_seconds
    if args.web_seconds is not None:
        plan.web_seconds = args.web_seconds
    return plan


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report_print(
    *,
    machine: Machine,
    floor: Floor,
    latency: Latency | None,
    burst: Burst | None,
    sustained: Sustained | None,
    web: list[PageLoad],
) -> None:
    print()
    print(f"machine: {machine.nproc} CPUs ({machine.cpu_model}), {machine.memory_gib} GiB RAM,")
    print(f"         Linux {machine.kernel}, Python {machine.python}, torch {machine.torch}")
    print(f"         sandbox {machine.sandbox}")
    print()
    print("grading through the API (POST /api/submissions/, poll until graded)")
    print(f"  naive floor: fresh `python -c 'import torch'`   median {ms(floor.median_s)}")
    if latency:
        ratio = floor.median_s / latency.p50_s
        print(
            f"  latency over {latency.count} sequential submissions   "
            f"p50 {ms(latency.p50_s)}   p95 {ms(latency.p95_s)}   "
            f"(first after start {ms(latency.first_s)}, server-side p50 {ms(latency.server_p50_s)})"
        )
        print(
            f"  floor / p50 = {ratio:.1f}x   (target >= {LATENCY_RATIO_TARGET:.0f}x: "
            f"{verdict(ratio >= LATENCY_RATIO_TARGET)})   verdicts {latency.verdicts}"
        )
    if burst:
        print(
            f"  burst of {burst.submitted} at once ({burst.accounts} accounts): all graded in "
            f"{burst.span_s:.2f} s = {burst.per_second:.1f} submissions/s "
            f"(target >= {BURST_RATE_TARGET:.0f}/s: {verdict(burst.per_second >= BURST_RATE_TARGET)})"
        )
        print(
            f"      graded {burst.graded}, failed {burst.failed}, lost {burst.lost}, "
            f"accepted {burst.accepted}; POSTs took {burst.post_phase_s:.2f} s"
        )
    if sustained:
        print(
            f"  sustained {sustained.seconds:.0f} s with {sustained.backlog} in flight: "
            f"{sustained.per_second:.1f} graded/s; submitted {sustained.submitted}, graded "
            f"{sustained.graded}, failed {sustained.failed}, lost {sustained.lost}; "
            f"queue+grade p50 {ms(sustained.latency_p50_s)} p95 {ms(sustained.latency_p95_s)}"
        )
    if web:
        print()
        print("web pages under gunicorn (wrk, loopback)")
        print(f"  {'page':26} {'path':28} {'req/s':>8} {'p50':>9} {'p95':>9} {'non-2xx':>8}")
        for page in web:
            if page.status != 200:
                print(f"  {page.name:26} {page.path:28} answered {page.status}: not measured")
                continue
            print(
                f"  {page.name:26} {page.path:28} {page.rps:8.0f} {ms(page.p50_ms / 1000):>9} "
                f"{ms(page.p95_ms / 1000):>9} {page.non_2xx:8d}"
            )
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (about 2 minutes)")
    parser.add_argument("--sustained-seconds", type=float, default=None)
    parser.add_argument("--web-seconds", type=int, default=None)
    parser.add_argument(
        "--only",
        choices=["grading", "web"],
        default=None,
        help="run only the grading or only the web part",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--keep-workdir", action="store_true", help="keep logs and database")
    parser.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="grade WITHOUT isolation, only to see what the sandbox costs; never the headline",
    )
    args = parser.parse_args(argv)
    plan = plan_for(args)

    machine = machine_describe(unsafe_no_sandbox=args.unsafe_no_sandbox)
    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    config = StackConfig(instructors=20, students=1)
    latency = burst = sustained = None
    web: list[PageLoad] = []
    with running_stack(
        config, keep_workdir=args.keep_workdir, unsafe_no_sandbox=args.unsafe_no_sandbox
    ) as stack:
        instructors = stack.instructors()
        print(f"naive floor: {plan.floor_runs} fresh Pythons importing torch")
        floor = naive_floor(runs=plan.floor_runs)
        if args.only in (None, "grading"):
            print(f"latency: {plan.latency_count} sequential submissions")
            latency = latency_run(stack=stack, account=instructors[0], count=plan.latency_count)
            print(f"burst: {plan.burst_count} submissions at once")
            burst = burst_run(stack=stack, accounts=instructors[1:11], count=plan.burst_count)
            print(f"sustained: {plan.sustained_seconds:.0f} s")
            sustained = sustained_run(
                stack=stack, accounts=instructors[11:15], seconds=plan.sustained_seconds
            )
        if args.only in (None, "web"):
            print(f"web: wrk, {plan.web_seconds} s per page")
            web = web_run(stack=stack, account=stack.students()[0], seconds=plan.web_seconds)

    report_print(
        machine=machine, floor=floor, latency=latency, burst=burst, sustained=sustained, web=web
    )
    results = {
        "started_at": started_at.isoformat(),
        "duration_s": round(time.monotonic() - t0, 1),
        "quick": args.quick,
        "machine": asdict(machine),
        "plan": asdict(plan),
        "naive_floor": asdict(floor),
        "latency": asdict(latency) if latency else None,
        "latency_ratio": floor.median_s / latency.p50_s if latency else None,
        "burst": asdict(burst) if burst else None,
        "sustained": asdict(sustained) if sustained else None,
        "web": [asdict(page) for page in web],
        "targets": {
            "latency_ratio_min": LATENCY_RATIO_TARGET,
            "burst_per_second_min": BURST_RATE_TARGET,
        },
    }
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"results written to {args.output}")
    lost = sum(r.lost + r.failed for r in (burst, sustained) if r is not None)
    if lost:
        print(f"{lost} submissions were lost or failed")
        return 1
    return 0
